/**
 * A small sparse LP/MILP builder: columns with cost and bounds, rows as (lower ≤ Σ a·x ≤ upper),
 * emitted as the CSR model data HiGHS takes. Pure, no solver inside.
 */
export const INF = Infinity;

export interface LpData {
  numCols: number;
  numRows: number;
  offset: number;
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  starts: Int32Array;
  indices: Int32Array;
  values: Float64Array;
  /** 1 integer, 0 continuous; null when all are continuous */
  integrality: Int32Array | null;
}

export class LpBuilder {
  private readonly cost: number[] = [];
  private readonly lower: number[] = [];
  private readonly upper: number[] = [];
  private readonly integer: number[] = [];
  private readonly rLower: number[] = [];
  private readonly rUpper: number[] = [];
  private readonly starts: number[] = [0];
  private readonly idx: number[] = [];
  private readonly val: number[] = [];
  offset = 0;

  get numCols(): number {
    return this.cost.length;
  }
  get numRows(): number {
    return this.rLower.length;
  }
  get integerColumns(): number {
    return this.integer.filter((v) => v !== 0).length;
  }

  /** Adds a column; returns its index. */
  col(cost: number, lower: number, upper: number, integer = false): number {
    this.cost.push(cost);
    this.lower.push(lower);
    this.upper.push(upper);
    this.integer.push(integer ? 1 : 0);
    return this.cost.length - 1;
  }

  addCost(col: number, cost: number): void {
    this.cost[col] = this.cost[col]! + cost;
  }

  /** Adds lower ≤ Σ coef·x ≤ upper; returns the row index. Zero coefficients are dropped. */
  row(lower: number, upper: number, cols: readonly number[], coefs: readonly number[]): number {
    for (let k = 0; k < cols.length; k++) {
      if (coefs[k] !== 0) {
        this.idx.push(cols[k]!);
        this.val.push(coefs[k]!);
      }
    }
    this.starts.push(this.idx.length);
    this.rLower.push(lower);
    this.rUpper.push(upper);
    return this.rLower.length - 1;
  }

  build(): LpData {
    const anyInt = this.integer.some((v) => v !== 0);
    return {
      numCols: this.numCols,
      numRows: this.numRows,
      offset: this.offset,
      colCost: Float64Array.from(this.cost),
      colLower: Float64Array.from(this.lower),
      colUpper: Float64Array.from(this.upper),
      rowLower: Float64Array.from(this.rLower),
      rowUpper: Float64Array.from(this.rUpper),
      starts: Int32Array.from(this.starts),
      indices: Int32Array.from(this.idx),
      values: Float64Array.from(this.val),
      integrality: anyInt ? Int32Array.from(this.integer) : null,
    };
  }
}
