//! The `catdog` command: train and predict on folders of photos with the same core as the page.
//! Only argument parsing, printing and exit codes live here.

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

// The package's binary is built alongside wasm tests; in the browser there is no command line.
#[cfg(target_arch = "wasm32")]
fn main() {}
