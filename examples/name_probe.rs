//! Scratch: print name normalisation and similarity of pairs given as "a|b" arguments.
use omni_core::{name_similarity, normalize_name};
fn main() {
    if std::env::var("SCAN").is_ok() {
        let g = omni_synth::ContactGenerator::new(omni_synth::ContactConfig {
            seed: 7,
            people: 40000,
            ..Default::default()
        });
        for r in g.records() {
            if let Some(n) = r.name.as_deref() {
                if n.is_ascii() {
                    if let Ok(p) = normalize_name(n) {
                        if !p.normalized.is_ascii() {
                            println!("{n:?} -> {} {:?}", p.normalized, r.corruptions);
                        }
                    }
                }
            }
        }
        return;
    }
    if std::env::var("PAIR").is_ok() {
        // PAIR="name;phone;email" "name;phone;email"
        let mut r = omni_core::resolve::Resolver::new(Default::default()).unwrap();
        let args: Vec<String> = std::env::args().skip(1).collect();
        for (i, a) in args.iter().enumerate() {
            let f: Vec<&str> = a.split(';').collect();
            let mut o = omni_core::resolve::Observation::new(format!("r{i}"));
            o.name = f.first().filter(|s| !s.is_empty()).map(|s| s.to_string());
            o.phones = f
                .get(1)
                .filter(|s| !s.is_empty())
                .map(|s| vec![s.to_string()])
                .unwrap_or_default();
            o.emails = f
                .get(2)
                .filter(|s| !s.is_empty())
                .map(|s| vec![s.to_string()])
                .unwrap_or_default();
            r.add(o).unwrap();
        }
        let e = r.explain("r0", "r1").unwrap();
        println!("{}", e.reason);
        for c in e.comparisons {
            println!("  {} {} {:?} {:.1}", c.field, c.level, c.values, c.weight);
        }
        return;
    }
    for arg in std::env::args().skip(1) {
        for part in arg.split('|') {
            match normalize_name(part) {
                Ok(n) => {
                    let toks: Vec<String> = n
                        .tokens
                        .iter()
                        .map(|t| {
                            format!("{}:{}:{:?}:{:?}", t.text, t.key, t.role, t.given_name_ids())
                        })
                        .collect();
                    println!(
                        "{part:?} -> {} gender {:?} [{}]",
                        n.normalized,
                        n.gender,
                        toks.join(" ")
                    );
                }
                Err(e) => println!("{part:?} -> error {e}"),
            }
        }
        if let Some((a, b)) = arg.split_once('|') {
            println!("  similarity {:.3}", name_similarity(a, b));
        }
    }
}
