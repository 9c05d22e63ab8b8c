-- 0013: the team server's people, their personal tokens and the four-eyes approval queue
-- (crates/core/src/team/, issue 25). Empty on one person's console; the same tables on
-- PostgreSQL (migrations_pg/0002_team.sql).
--
-- Never edit this file once merged: sqlx checksums applied migrations. Add the next number.

-- A person on the team. One role each (crates/core/src/team/roles.rs); disabled, never deleted,
-- so the audit log's names keep meaning something.
CREATE TABLE team_users (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'finance', 'developer', 'auditor')),
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    disabled_at TEXT
);

-- Personal tokens: only an Argon2id hash (PHC text) and a short, non-secret lookup prefix.
CREATE TABLE team_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES team_users (id),
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL,
    label        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX team_tokens_by_prefix ON team_tokens (prefix);

-- Requests waiting for a second person. `request` is the operation to run when approved (JSON);
-- `state` moves pending → approved → executed | failed, or pending → rejected; a pending row
-- past `expires_at` is expired. Each move is one conditional UPDATE, so across consoles and
-- server instances exactly one decision wins and the money moves once.
CREATE TABLE approvals (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    environment  TEXT NOT NULL CHECK (environment IN ('sandbox', 'production')),
    action       TEXT NOT NULL,
    subject      TEXT NOT NULL,
    request      TEXT NOT NULL,
    amount       TEXT,
    currency     TEXT,
    requested_by INTEGER NOT NULL REFERENCES team_users (id),
    requested_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    state        TEXT NOT NULL
        CHECK (state IN ('pending', 'approved', 'rejected', 'executed', 'failed')),
    decided_by   INTEGER REFERENCES team_users (id),
    decided_at   TEXT,
    outcome      TEXT,
    CHECK (decided_by IS NULL OR decided_by <> requested_by)
);
CREATE INDEX approvals_queue ON approvals (environment, state, id);
