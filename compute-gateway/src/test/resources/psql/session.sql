\set VERBOSITY sqlstate
\set SHOW_CONTEXT never
CREATE TABLE branches (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE IF NOT EXISTS branches (id int);
CREATE TABLE accounts (id int PRIMARY KEY, branch int NOT NULL, owner text, balance bigint NOT NULL);
CREATE INDEX accounts_branch ON accounts (branch);
INSERT INTO branches VALUES (1, 'north'), (2, 'south');
COPY accounts FROM STDIN;
1	1	ann	100
2	1	\N	250
3	2	bob	75
\.
COPY accounts (id, branch, balance, owner) FROM STDIN WITH (FORMAT csv);
4,2,30,"carol, jr"
5,1,0,
\.
SELECT a.id, b.name, a.owner, a.balance FROM accounts a JOIN branches b ON a.branch = b.id ORDER BY a.id;
SELECT b.name, count(*), sum(a.balance), min(a.balance) FROM accounts a JOIN branches b ON b.id = a.branch GROUP BY b.name ORDER BY b.name;
SELECT owner FROM accounts WHERE branch = 2 ORDER BY owner;
BEGIN;
UPDATE accounts SET balance = balance - 50 WHERE id = 1;
UPDATE accounts SET balance = balance + 50 WHERE id = 3;
COMMIT;
BEGIN;
DELETE FROM accounts;
ROLLBACK;
SELECT id, balance FROM accounts WHERE id BETWEEN 1 AND 4 ORDER BY id;
INSERT INTO accounts VALUES (1, 1, 'dup', 0);
INSERT INTO accounts VALUES (6, 1, 'x', NULL);
SELECT * FROM nowhere;
SELECT nope FROM accounts;
SELEC 1;
COPY accounts FROM STDIN;
7	1	bad	notanumber
\.
BEGIN;
INSERT INTO accounts VALUES (8, 1, 'in a block', 1);
INSERT INTO accounts VALUES (2, 1, 'dup', 0);
SELECT 1;
ROLLBACK;
SELECT count(*) FROM accounts;
DELETE FROM accounts WHERE owner IS NULL;
SELECT id, owner FROM accounts ORDER BY balance DESC LIMIT 2;
DROP TABLE accounts;
DROP TABLE IF EXISTS accounts;
DROP TABLE accounts;
CREATE TABLE t2 (a int PRIMARY KEY, b varchar(3), c numeric(6,2), d date, e timestamp);
INSERT INTO t2 VALUES (1, 'x', 1.5, '2026-11-29', '2026-11-29 10:00:00'), (2, NULL, -0.25, '2000-02-29', '1999-12-31 23:59:59.5');
SELECT * FROM t2 ORDER BY a;
SELECT a, c * 2, d FROM t2 WHERE a = 2;
INSERT INTO t2 (a, b) VALUES (3, 'long');
BEGIN;
TRUNCATE t2;
SELECT count(*) FROM t2;
ROLLBACK;
SELECT count(*) FROM t2;
TRUNCATE TABLE t2;
INSERT INTO t2 (a) VALUES (1);
SELECT a FROM t2;
VACUUM ANALYZE t2;
ANALYZE;
VACUUM nowhere;
BEGIN;
VACUUM;
ROLLBACK;
CREATE TABLE described (id bigint PRIMARY KEY, name varchar(20) NOT NULL, score numeric(6,2), born date, note text);
CREATE INDEX described_name ON described (name);
CREATE UNIQUE INDEX described_note ON described (note);
\dt
\d
\dt desc*
\d described
\d t2
\d nowhere
SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1;
SELECT column_name, data_type, is_nullable, ordinal_position, character_maximum_length, numeric_precision, numeric_scale FROM information_schema.columns WHERE table_name = 'described' ORDER BY ordinal_position;
SELECT tablename, hasindexes FROM pg_catalog.pg_tables WHERE schemaname = 'public' ORDER BY 1;
SELECT c.relname, a.attname, a.attnum, a.attnotnull FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid WHERE c.relname = 'described' AND a.attnum > 0 ORDER BY a.attnum;
SELECT i.indisunique, i.indisprimary, c.relname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_class t ON t.oid = i.indrelid WHERE t.relname = 'described' ORDER BY c.relname;
SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname = 'public';
SELECT a.attname, t.typname, a.atttypmod, a.attlen FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE c.relname = 't2' AND a.attnum > 0 ORDER BY a.attnum;
