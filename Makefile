# Lyceum developer commands. `make run` needs nothing but Rust; `make test` is what CI runs.
CARGO ?= cargo
DOC_CRATES := -p lyceum-domain -p lyceum-ports -p lyceum-app -p lyceum-infra-seaorm -p lyceum-api-poem -p migration

.PHONY: run build test fmt lint doc migrate openapi openapi-check openapi-lint seed-demo bench

## Build and start the server on http://127.0.0.1:8080 with an embedded SQLite database in ./data/
run:
	mkdir -p data
	$(CARGO) run -p lyceum-server --bin lyceum -- serve

build:
	$(CARGO) build --workspace --release

## Formatting check, clippy with warnings as errors, the API contract check, documentation
## check, every test. Database-facing suites also run on PostgreSQL when
## LYCEUM_TEST_POSTGRES_URL is set.
test:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	@$(MAKE) --no-print-directory openapi-check
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

## Every linter finding on docs/openapi.json, warnings (known contract defects) included.
openapi-lint:
	@bash tools/openapi/check.sh lint

seed-demo:
	mkdir -p data
	$(CARGO) run -p lyceum-server --bin lyceum -- seed-demo

## Release build, PostgreSQL, seeded data, wrk + oha load on 127.0.0.1; rewrites the results
## in docs/performance.md (see there). Separate from `make test`; never asserts timings.
bench:
	bash bench/run.sh
