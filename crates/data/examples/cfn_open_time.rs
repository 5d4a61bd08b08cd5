//! Prints how long opening the embedded CloudFormation data and decoding resource types take:
//! `cargo run -p samwise-data --example cfn_open_time [--release]`. Figures for the README.

use std::time::Instant;

use samwise_data::CfnData;

fn main() {
    let start = Instant::now();
    let data = CfnData::embedded();
    let opened = start.elapsed();

    let start = Instant::now();
    let function = data.resource_type("AWS::Lambda::Function").expect("AWS::Lambda::Function");
    let one = start.elapsed();

    let start = Instant::now();
    let sam = data.resource_type("AWS::Serverless::Function").expect("AWS::Serverless::Function");
    let sam_time = start.elapsed();

    let start = Instant::now();
    let cached = data.resource_type("AWS::Lambda::Function");
    let again = start.elapsed();
    assert!(cached.is_some());

    let start = Instant::now();
    let all = data.type_names().iter().filter(|n| data.resource_type(n).is_some()).count();
    let everything = start.elapsed();

    println!("open (index only, {} types): {opened:?}", data.type_names().len());
    println!("decode AWS::Lambda::Function ({} shapes): {one:?}", function.shapes.len());
    println!("decode AWS::Serverless::Function ({} shapes): {sam_time:?}", sam.shapes.len());
    println!("cached lookup: {again:?}");
    println!("decode all {all} types: {everything:?}");
}
