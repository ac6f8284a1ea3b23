-- Knowledge layer (issue #9): documents (versioned by key, deduplicated by checksum), their
-- chunks with a weighted full-text vector (German or English configuration per document), and
-- the corpus version that keys the answer cache. Vector tables live in their own migration.

create table knowledge_documents (
  id uuid primary key default gen_random_uuid(),
  -- logical identity; versions of one document share it (laws: "law:<BJNR>", uploads: key or file name)
  doc_key text not null,
  version integer not null,
  -- SHA-256 of the original bytes, hex; the original is stored in the object store under it
  checksum text not null check (checksum ~ '^[0-9a-f]{64}$'),
  title text not null,
  -- laws: abbreviation ("EnWG", "EEG 2023") and short name ("Energiewirtschaftsgesetz")
  law text,
  law_name text,
  doc_type text not null check (doc_type in ('regulation', 'report', 'note', 'datasheet')),
  jurisdiction text,
  valid_from date,
  valid_to date,
  source text,
  site_id text references sites (id) on delete set null,
  tags text[] not null default '{}',
  filename text not null,
  mime_type text not null,
  size_bytes bigint not null,
  object_key text,
  -- text search configuration used for the chunks: 'german' or 'english'
  language text not null check (language in ('german', 'english')),
  -- law sections, extractor pages, or ~3,000-character pieces (see docs/rag.md)
  pages integer not null,
  chunk_count integer not null,
  status text not null default 'active' check (status in ('active', 'superseded')),
  superseded_by uuid,
  builtin boolean not null default false,
  created_by text,
  created_at timestamptz not null default now(),
  unique (doc_key, version)
);
create unique index knowledge_documents_active_key on knowledge_documents (doc_key) where status = 'active';
create index knowledge_documents_checksum on knowledge_documents (checksum);

create table knowledge_chunks (
  -- "<document id>:<ordinal>"
  id text primary key,
  document_id uuid not null references knowledge_documents (id) on delete cascade,
  ordinal integer not null,
  -- copied from the document so the search needs no join to skip superseded versions
  active boolean not null default true,
  section text not null,
  section_title text not null,
  paragraph text,
  heading_path text[] not null,
  page integer,
  text text not null,
  -- ontology concept ids found in the chunk
  terms text[] not null default '{}',
  -- A: law abbreviation, section and title; B: ontology labels; C: law/document name; D: body
  tsv tsvector not null
);
create index knowledge_chunks_tsv on knowledge_chunks using gin (tsv);
create index knowledge_chunks_document on knowledge_chunks (document_id, ordinal);

-- One row: bumped on every change of the searchable corpus; the answer cache is keyed by it.
create table knowledge_corpus (
  id integer primary key check (id = 1),
  version bigint not null,
  updated_at timestamptz not null default now()
);
insert into knowledge_corpus (id, version) values (1, 0);
