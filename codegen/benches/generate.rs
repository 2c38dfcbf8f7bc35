//! Generation time of the whole OpenAI OpenAPI document (in `../shared`),
//! end to end and stage by stage. Prints a notice and measures nothing where
//! `../shared` is absent.
//!
//! Run with `cargo bench -p openai-webhooks-codegen --bench generate`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use openai_webhooks_codegen::{emit, load::SchemaSet, lower, render, Config};

fn generate(c: &mut Criterion) {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/upstream/openai-openapi/openapi-2026-08-21.yaml");
    if !spec.exists() {
        println!("SKIPPED: {} is absent", spec.display());
        return;
    }
    let mut group = c.benchmark_group("openai_spec");
    group.sample_size(10);
    group.bench_function("end_to_end", |b| {
        b.iter(|| Config::new().generate(black_box(&spec)).unwrap())
    });
    group.bench_function("load", |b| {
        b.iter(|| SchemaSet::load(black_box(&spec)).unwrap())
    });
    let set = SchemaSet::load(&spec).unwrap();
    group.bench_function("lower", |b| {
        b.iter(|| lower::lower(black_box(&set)).unwrap())
    });
    let lowered = lower::lower(&set).unwrap();
    group.bench_function("emit", |b| {
        b.iter(|| emit::emit(black_box(&lowered.space), &Default::default()).unwrap())
    });
    let tokens = emit::emit(&lowered.space, &Default::default()).unwrap();
    group.bench_function("render", |b| {
        b.iter(|| render::render(black_box(tokens.clone()), &[]).unwrap())
    });
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
