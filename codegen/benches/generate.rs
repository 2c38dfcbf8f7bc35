//! Generation time of the whole OpenAI OpenAPI document (in `../shared`):
//! end to end, loading alone, and everything after loading (lowering,
//! emission and formatting, through the one public pipeline). Prints a notice and measures nothing where
//! `../shared` is absent.
//!
//! Run with `cargo bench -p schemaweave --bench generate`.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use schemaweave::{Config, SchemaSet};

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
    group.bench_function("generate_loaded", |b| {
        b.iter(|| Config::new().generate_set(black_box(&set)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
