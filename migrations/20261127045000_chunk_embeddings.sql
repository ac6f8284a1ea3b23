-- Chunk embeddings for vector retrieval (issue #9), ONLY when the database has the pgvector
-- extension (PGlite ships it; Debian's PostgreSQL 15 does not). Without it nothing is created and
-- retrieval stays lexical; api/src/knowledge/vectors/pgvector.ts creates the same table at start
-- if the extension is installed later (keep the two statements identical).
-- One row per (model, chunk): vectors of different models never mix; the column has no fixed
-- dimension, so each model's HNSW index is a partial expression index built at runtime
-- ((embedding::vector(<dims>)) vector_cosine_ops where model = '<model>').
do $$
begin
  if exists (select 1 from pg_extension where extname = 'vector') then
    execute $ddl$
      create table if not exists chunk_embeddings (
        model text not null,
        chunk_id text not null references knowledge_chunks (id) on delete cascade,
        dims integer not null check (dims > 0),
        -- SHA-256 (hex) of the embedded text: a changed text is embedded again
        content_sha text not null,
        embedding vector not null,
        created_at timestamptz not null default now(),
        primary key (model, chunk_id)
      )
    $ddl$;
    execute 'create index if not exists chunk_embeddings_chunk on chunk_embeddings (chunk_id)';
  end if;
end
$$;
