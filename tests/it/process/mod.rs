//! Tests that run the real `smartspec` binary as a process: flags, signals, reload and start-up errors.

mod cli;
mod replicas;
mod resilience;
