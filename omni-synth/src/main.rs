//! `omni-synth`: writes seeded synthetic CRM contacts or a multichannel inbox to files.
//!
//! ```text
//! omni-synth contacts --seed 7 --people 400000 --format csv --out contacts.csv --truth truth.csv
//! omni-synth inbox --seed 7 --customers 500 --out inbox.jsonl --truth inbox_truth.jsonl
//! ```

use chrono::{DateTime, NaiveDate, Utc};
use clap::{value_parser, Arg, ArgMatches, Command};
use omni_synth::{
    write_contacts, write_inbox, ContactConfig, ContactGenerator, Format, InboxConfig,
    InboxGenerator,
};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

fn common(cmd: Command) -> Command {
    cmd.arg(
        Arg::new("seed")
            .long("seed")
            .value_parser(value_parser!(u64))
            .default_value("1")
            .help("Seed: the same seed and options give the same bytes"),
    )
    .arg(
        Arg::new("out")
            .long("out")
            .short('o')
            .default_value("-")
            .help("Output file ('-' for standard output)"),
    )
    .arg(
        Arg::new("truth")
            .long("truth")
            .help("Also write the ground truth to this file (kept apart from the data)"),
    )
    .arg(
        Arg::new("start")
            .long("start")
            .help("First day of the time span, YYYY-MM-DD (UTC)"),
    )
    .arg(
        Arg::new("days")
            .long("days")
            .value_parser(value_parser!(u32))
            .help("Length of the time span in days"),
    )
    .arg(
        Arg::new("english-share")
            .long("english-share")
            .value_parser(value_parser!(f64))
            .help("Share of English-speaking people, 0..1 (default 0.12)"),
    )
}

fn cli() -> Command {
    Command::new("omni-synth")
        .about("Seeded synthetic CRM contacts and multichannel inboxes with ground truth (no real people)")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(common(
            Command::new("contacts")
                .about("CRM contact records: 1-4 per person, corrupted as real data is")
                .arg(
                    Arg::new("people")
                        .long("people")
                        .value_parser(value_parser!(u64))
                        .default_value("1000")
                        .help("Number of people (records are about 2.5 times as many)"),
                )
                .arg(
                    Arg::new("format")
                        .long("format")
                        .default_value("csv")
                        .help("csv or jsonl (the truth file uses the same format)"),
                ),
        ))
        .subcommand(common(
            Command::new("inbox")
                .about("Messages in omni's JSON format (one per line) across 14 channels")
                .arg(
                    Arg::new("customers")
                        .long("customers")
                        .value_parser(value_parser!(u64))
                        .default_value("100")
                        .help("Number of customers (spammers come on top, 1 per 20)"),
                ),
        ))
}

fn open(path: &str) -> io::Result<Box<dyn Write>> {
    Ok(if path == "-" {
        Box::new(BufWriter::new(io::stdout().lock()))
    } else {
        Box::new(BufWriter::with_capacity(
            1 << 20,
            File::create(path).map_err(|e| io::Error::new(e.kind(), format!("{path}: {e}")))?,
        ))
    })
}

fn start_of(m: &ArgMatches) -> Result<Option<DateTime<Utc>>, String> {
    match m.get_one::<String>("start") {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|d| Some(d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()))
            .map_err(|e| format!("--start {s:?}: {e}; expected YYYY-MM-DD")),
    }
}

fn run(matches: &ArgMatches) -> Result<(), String> {
    let clock = Instant::now();
    match matches.subcommand() {
        Some(("contacts", m)) => {
            let mut config = ContactConfig {
                seed: *m.get_one("seed").unwrap_or(&1),
                people: *m.get_one("people").unwrap_or(&1000),
                ..Default::default()
            };
            if let Some(start) = start_of(m)? {
                config.start = start;
            }
            if let Some(days) = m.get_one::<u32>("days") {
                config.days = *days;
            }
            if let Some(share) = m.get_one::<f64>("english-share") {
                config.english_share = share.clamp(0.0, 1.0);
            }
            let name = m
                .get_one::<String>("format")
                .map(String::as_str)
                .unwrap_or("csv");
            let format = Format::from_name(name)
                .ok_or_else(|| format!("--format {name:?}: expected csv or jsonl"))?;
            let people = config.people;
            let generator = ContactGenerator::new(config);
            eprintln!(
                "omni-synth: {people} people made in {:.2} s",
                clock.elapsed().as_secs_f64()
            );
            let mut out = open(
                m.get_one::<String>("out")
                    .map(String::as_str)
                    .unwrap_or("-"),
            )
            .map_err(|e| e.to_string())?;
            let mut truth = match m.get_one::<String>("truth") {
                Some(p) => Some(open(p).map_err(|e| e.to_string())?),
                None => None,
            };
            let n = write_contacts(
                generator.records(),
                format,
                &mut out,
                truth.as_deref_mut().map(|t| t as &mut dyn Write),
            )
            .and_then(|n| out.flush().map(|_| n))
            .and_then(|n| truth.as_mut().map_or(Ok(()), |t| t.flush()).map(|_| n))
            .map_err(|e| e.to_string())?;
            let secs = clock.elapsed().as_secs_f64();
            eprintln!(
                "omni-synth: {n} records of {people} people in {secs:.2} s ({:.0} records/s)",
                n as f64 / secs.max(1e-9)
            );
        }
        Some(("inbox", m)) => {
            let mut config = InboxConfig {
                seed: *m.get_one("seed").unwrap_or(&1),
                customers: *m.get_one("customers").unwrap_or(&100),
                ..Default::default()
            };
            if let Some(start) = start_of(m)? {
                config.start = start;
            }
            if let Some(days) = m.get_one::<u32>("days") {
                config.days = *days;
            }
            if let Some(share) = m.get_one::<f64>("english-share") {
                config.english_share = share.clamp(0.0, 1.0);
            }
            let customers = config.customers;
            let inbox = InboxGenerator::new(config).generate();
            let mut out = open(
                m.get_one::<String>("out")
                    .map(String::as_str)
                    .unwrap_or("-"),
            )
            .map_err(|e| e.to_string())?;
            let mut truth = match m.get_one::<String>("truth") {
                Some(p) => Some(open(p).map_err(|e| e.to_string())?),
                None => None,
            };
            let n = write_inbox(
                inbox.iter(),
                &mut out,
                truth.as_deref_mut().map(|t| t as &mut dyn Write),
            )
            .and_then(|n| out.flush().map(|_| n))
            .and_then(|n| truth.as_mut().map_or(Ok(()), |t| t.flush()).map(|_| n))
            .map_err(|e| e.to_string())?;
            let channels: std::collections::BTreeSet<&str> =
                inbox.messages.iter().map(|m| m.channel.name()).collect();
            eprintln!(
                "omni-synth: {n} messages of {customers} customers on {} channels in {:.2} s",
                channels.len(),
                clock.elapsed().as_secs_f64()
            );
        }
        _ => return Err("expected a subcommand: contacts or inbox (see --help)".into()),
    }
    Ok(())
}

fn main() -> ExitCode {
    let matches = cli().get_matches();
    match run(&matches) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("omni-synth: {e}");
            ExitCode::FAILURE
        }
    }
}
