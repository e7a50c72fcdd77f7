# cqlbridge: the two commands that matter are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
CARGO ?= cargo
CLUSTER := tests/cluster/cluster
export CQLB_CONTACT_POINTS ?= 127.0.0.1

.PHONY: all build demo test lint unit-test cluster-up cluster-down cluster-status clean help

all: build

help:
	@echo "make demo          build, start a local Cassandra node, run the walkthrough (node left running)"
	@echo "make test          build and run every test suite against a real node it starts (and stops)"
	@echo "make cluster-up    start the local node (tests/cluster/cluster up)"
	@echo "make cluster-down  stop the nodes tests/cluster/cluster started"

build:
	$(CARGO) build --workspace --all-targets

demo: build
	$(CLUSTER) up
	@echo "== the walkthrough in Rust (examples/rust)"
	$(CARGO) run -q -p cqlbridge-example-walkthrough
	@echo
	@echo "The Cassandra node is still running (data under .cluster/). Stop it with: make cluster-down"

test:
	tests/run

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit-test:
	$(CARGO) test --workspace --lib --bins

cluster-up:
	$(CLUSTER) up

cluster-down:
	$(CLUSTER) down

cluster-status:
	$(CLUSTER) status

clean:
	$(CARGO) clean
