//! Compact botocore/boto3 service models for the boto3 analysis (generated; see `cargo xtask gen-data`).
