//! End-to-end test support: locating and driving the built `samwise-lsp` and `samwise-dap` binaries.
