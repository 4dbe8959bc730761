# Lyceum developer commands. `make run` needs nothing but Rust; `make test` is what CI runs.
CARGO ?= cargo
DOC_CRATES := -p lyceum-domain -p lyceum-ports -p lyceum-app -p lyceum-infra-seaorm -p lyceum-api-poem -p migration

.PHONY: run build test fmt lint doc migrate openapi openapi-check openapi-lint contract contract-long clients contract-flow seed-demo bench soak

## Build and start the server on http://127.0.0.1:8080 with an embedded SQLite database in ./data/
run:
	mkdir -p data
	$(CARGO) run -p lyceum-server --bin lyceum -- serve

build:
	$(CARGO) build --workspace --release

## Formatting check, clippy with warnings as errors, the API contract check (document, then
## server and clients), documentation check, every test. Database-facing suites also run on
## PostgreSQL when LYCEUM_TEST_POSTGRES_URL is set.
test:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	@$(MAKE) --no-print-directory openapi-check
	@$(MAKE) --no-print-directory contract
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc $(DOC_CRATES) --no-deps --quiet
	@if [ -z "$$LYCEUM_TEST_POSTGRES_URL" ]; then \
	  echo "PostgreSQL suites skipped: set LYCEUM_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them"; \
	fi
	$(CARGO) test --workspace

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc $(DOC_CRATES) --no-deps

migrate:
	mkdir -p data
	$(CARGO) run -p lyceum-server --bin lyceum -- migrate

## Regenerate the committed OpenAPI document, docs/openapi.json.
openapi:
	@CARGO="$(CARGO)" bash tools/openapi/check.sh generate

## Fail when docs/openapi.json differs from what the server generates; validate and lint it.
openapi-check:
	@CARGO="$(CARGO)" bash tools/openapi/check.sh check

## Every linter finding on docs/openapi.json, with its line (any finding fails openapi-check).
openapi-lint:
	@bash tools/openapi/check.sh lint

## The contract against the running server and generated clients (tools/contract/run.sh all):
## Python and TypeScript clients generate without warnings, a booking flow through the
## Python client, Schemathesis with the quick budget on SQLite as every role. ~3.5 minutes.
contract:
	@CARGO="$(CARGO)" bash tools/contract/run.sh all

## Schemathesis with the long budget (~10 minutes per role) as learner, mentor and admin,
## on SQLite and then on PostgreSQL (a throwaway database on postgres://postgres@127.0.0.1:5432,
## or CONTRACT_POSTGRES_URL), the second even when the first fails. About an hour.
contract-long:
	@status=0; for db in sqlite postgres; do \
	  CARGO="$(CARGO)" bash tools/contract/run.sh fuzz --budget long --db $$db \
	    --role learner --role mentor --role admin || status=1; \
	done; exit $$status

## Generate the Python client and TypeScript types from docs/openapi.json into
## target/contract/clients/; fail on any generator warning or type error.
clients:
	@bash tools/contract/run.sh clients

## The booking flow (sign-up → session → booking → payment → notification) through the
## generated Python client against a fresh server.
contract-flow:
	@CARGO="$(CARGO)" bash tools/contract/run.sh flow

seed-demo:
	mkdir -p data
	$(CARGO) run -p lyceum-server --bin lyceum -- seed-demo

## Release build, PostgreSQL, seeded data (100k then 1M sessions), wrk + oha load on
## 127.0.0.1, ceilings in the same run (/healthz; pgbench -M prepared on each endpoint's
## captured statements), targets marked met / not met; rewrites the results in
## docs/performance.md and docs/performance.svg (see there). Installs wrk, oha, pgbench and
## matplotlib (bench/.venv) when missing. Separate from `make test`; never asserts timings.
bench:
	bash bench/run.sh

## Load and fault scenarios against the release server on PostgreSQL (tools/soak/run.sh):
## 10,000 concurrent bookings, SIGKILL mid-load with retries, a PostgreSQL restart, slow and
## silent clients, 1,000 live event streams, the open-files limit, memory after sign-ins.
## Rewrites the results in docs/reliability.md. Restarts the local PostgreSQL; ~15 minutes.
## `make soak SCENARIOS="kill9 memory"` runs some of them. Never part of `make test`.
soak:
	@CARGO="$(CARGO)" bash tools/soak/run.sh $(SCENARIOS)
