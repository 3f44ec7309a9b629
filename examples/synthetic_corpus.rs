//! Writes a generated benchmark corpus as an importable `cases.json`:
//! `cargo run --release --example synthetic_corpus -- 100000 /tmp/corpus`
//! then `policy-kb import /tmp/corpus/cases.json`.

use policy_kb::kb::{export, synthetic, KnowledgeBase};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().unwrap_or_else(|| "100000".into()).parse()?;
    let out = std::path::PathBuf::from(args.next().unwrap_or_else(|| "corpus".into()));
    let corpus = synthetic::cases(&KnowledgeBase::bundled()?, count);
    std::fs::create_dir_all(&out)?;
    for file in export::json_files(&corpus)?
        .into_iter()
        .filter(|f| f.name == "cases.json")
    {
        std::fs::write(out.join(&file.name), file.contents)?;
    }
    println!(
        "wrote {count} cases to {}",
        out.join("cases.json").display()
    );
    Ok(())
}
