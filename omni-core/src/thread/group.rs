//! One customer's conversations as a pure function of the set of that customer's messages.
//!
//! With the messages sorted by time, then id:
//! 1. **Explicit links** join messages into groups: email threads (JWZ, then threads whose
//!    normalised subjects agree and whose spans lie within the subject window of each other),
//!    messenger replies (`reply_to_id` naming another message's id), shared chat or call session
//!    ids, shared provider conversation ids, and shared order or ticket numbers in the text.
//! 2. **Time continuity** then joins a group to the customer's conversation of the moment: a
//!    group without email whose first message follows the customer's previous message (any
//!    channel) within the inactivity gap of its channel joins that message's conversation.
//!    Groups with email carry their own threading and are never joined by time, so two email
//!    threads that nothing links stay apart however close in time. Messages with implausible
//!    timestamps take part in explicit links only.
//!
//! A conversation's id is the id of its earliest message (by time, then id), so the same messages
//! always give the same ids, whatever order they arrived in.

use super::email::thread_emails;
use super::record::{EmailFacts, Record};
use super::state::{summarize, Summary};
use super::{JoinKind, Problem, ProblemKind, ThreadConfig};
use rustc_hash::FxHashMap;
use std::cmp::Ordering;

pub(crate) const NONE: u32 = u32::MAX;

/// How a message is attached to its conversation: the kind of link and the other message
/// (a slot), if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Join {
    pub via: JoinKind,
    pub with: u32,
}

/// Where one message is: its conversation (index in its customer's list), how it joined, and the
/// problems found while threading it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Placement {
    pub conv: u32,
    pub join: Join,
    pub problems: Vec<Problem>,
}

impl Default for Placement {
    fn default() -> Self {
        Placement {
            conv: NONE,
            join: Join {
                via: JoinKind::Start,
                with: NONE,
            },
            problems: Vec::new(),
        }
    }
}

/// One computed conversation: member slots oldest first, and its summary.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ConvCore {
    pub members: Vec<u32>,
    pub summary: Summary,
}

/// Reusable buffers, so threading many customers does not allocate per customer.
#[derive(Default)]
pub(crate) struct Scratch<'a> {
    uf: Vec<u32>,
    keys: FxHashMap<(u8, &'a str), u32>,
    ids: FxHashMap<&'a str, u32>,
    edges: Vec<(u32, u32, JoinKind)>,
}

/// Orders two records by time, then id.
pub(crate) fn by_time_then_id(a: &Record, b: &Record) -> Ordering {
    a.time.cmp(&b.time).then_with(|| a.id.cmp(&b.id))
}

fn find(uf: &mut [u32], mut x: u32) -> u32 {
    while uf[x as usize] != x {
        let next = uf[x as usize];
        uf[x as usize] = uf[next as usize];
        x = next;
    }
    x
}

/// Joins the groups of `a` and `b`; the smaller index (the earlier message) stays the root.
fn union(uf: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(uf, a), find(uf, b));
    if ra != rb {
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        uf[hi as usize] = lo;
    }
}

/// Priority of a link when explaining how a message joined (lower first).
fn rank(kind: JoinKind) -> u8 {
    match kind {
        JoinKind::EmailReply => 0,
        JoinKind::ReplyTo => 1,
        JoinKind::Session => 2,
        JoinKind::ProviderConversation => 3,
        JoinKind::EmailThread => 4,
        JoinKind::EmailSubject => 5,
        JoinKind::OrderOrTicket => 6,
        JoinKind::TimeWindow => 7,
        JoinKind::Start => 8,
    }
}

/// Computes the conversations of the messages `slots` (sorted by time, then id). Returns the
/// conversations (ordered by their first message) and each message's placement, parallel to
/// `slots`.
pub(crate) fn compute<'a>(
    slots: &[u32],
    records: &'a [Option<Record>],
    config: &ThreadConfig,
    scratch: &mut Scratch<'a>,
) -> (Vec<ConvCore>, Vec<Placement>) {
    let n = slots.len();
    let rec = |i: usize| -> &'a Record {
        records[slots[i] as usize]
            .as_ref()
            .expect("a customer's slots hold live records")
    };
    let mut placements: Vec<Placement> = vec![Placement::default(); n];
    let uf = &mut scratch.uf;
    uf.clear();
    uf.extend(0..n as u32);
    let edges = &mut scratch.edges;
    edges.clear();

    // 1a. Email threads (JWZ), then subject grouping within the window.
    let participants: Vec<u32> = (0..n as u32)
        .filter(|&i| rec(i as usize).is_email())
        .collect();
    if !participants.is_empty() {
        let facts: Vec<&EmailFacts> = participants
            .iter()
            .map(|&i| {
                rec(i as usize)
                    .email
                    .as_deref()
                    .expect("participants have email facts")
            })
            .collect();
        let names: Vec<&str> = participants.iter().map(|&i| &*rec(i as usize).id).collect();
        let threads = thread_emails(&facts, &names);
        for (p, problem) in threads.problems {
            placements[participants[p as usize] as usize]
                .problems
                .push(problem);
        }
        // Per thread: first participant, first parentless participant (names the thread),
        // last time.
        let mut info: FxHashMap<u32, (u32, u32, usize)> = FxHashMap::default();
        for (p, &local) in participants.iter().enumerate() {
            let t = threads.thread[p];
            let entry = info.entry(t).or_insert((local, NONE, p));
            match threads.parent[p] {
                Some(parent) => {
                    let parent_local = participants[parent as usize];
                    edges.push((local, parent_local, JoinKind::EmailReply));
                    union(uf, local, parent_local);
                }
                None => {
                    if entry.1 == NONE {
                        entry.1 = local;
                    }
                    if entry.0 != local {
                        edges.push((local, entry.0, JoinKind::EmailThread));
                        union(uf, local, entry.0);
                    }
                }
            }
            entry.2 = p;
        }
        // Subject grouping: threads with the same subject key, sorted by start; a thread joins
        // the group before it when it starts within the window after the group's last message.
        let window = config.subject_window_secs as i64;
        let mut by_subject: Vec<(&str, u32, u32, i64)> = info
            .values()
            .filter(|_| window > 0)
            .filter_map(|&(first, named, last_p)| {
                let namer = if named == NONE { first } else { named };
                let subject = rec(namer as usize).email.as_ref()?.subject.as_deref()?;
                let last = participants[last_p];
                Some((subject, first, namer, rec(last as usize).time.timestamp()))
            })
            .collect();
        by_subject.sort_unstable_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
        let mut current: Option<(&str, u32, i64)> = None;
        for &(subject, first, namer, last_time) in &by_subject {
            let start = rec(first as usize).time.timestamp();
            match current {
                Some((s, group_namer, end))
                    if s == subject && start <= end.saturating_add(window) =>
                {
                    edges.push((namer, group_namer, JoinKind::EmailSubject));
                    union(uf, namer, group_namer);
                    current = Some((s, group_namer, end.max(last_time)));
                }
                _ => current = Some((subject, namer, last_time)),
            }
        }
    }

    // 1b. Messenger replies, sessions, provider conversations, order and ticket numbers.
    let keys = &mut scratch.keys;
    keys.clear();
    let ids = &mut scratch.ids;
    ids.clear();
    if (0..n).any(|i| rec(i).reply_to.is_some()) {
        for i in 0..n {
            ids.entry(&*rec(i).id).or_insert(i as u32);
        }
    }
    for i in 0..n as u32 {
        let r = rec(i as usize);
        if let Some(target) = r.reply_to.as_deref() {
            match ids.get(target).copied() {
                Some(t) if t != i => {
                    edges.push((i, t, JoinKind::ReplyTo));
                    union(uf, i, t);
                }
                Some(_) => placements[i as usize].problems.push(Problem::new(
                    ProblemKind::ReferenceLoop,
                    "refs.reply_to_id: the message replies to itself; ignored".to_string(),
                )),
                None => placements[i as usize].problems.push(Problem::new(
                    ProblemKind::MissingParent,
                    format!("refs.reply_to_id: {target:?} is not among the customer's messages"),
                )),
            }
        }
        let mut link = |tag: u8, key: &'a str, kind: JoinKind| match keys.get(&(tag, key)) {
            Some(&first) => {
                edges.push((i, first, kind));
                union(uf, i, first);
            }
            None => {
                keys.insert((tag, key), i);
            }
        };
        if let Some(s) = r.session.as_deref() {
            link(0, s, JoinKind::Session);
        }
        if let Some(c) = r.provider_conversation.as_deref() {
            link(1, c, JoinKind::ProviderConversation);
        }
        for k in r.keys.iter() {
            link(2, k, JoinKind::OrderOrTicket);
        }
    }

    // 2. Time continuity, decided on the explicit groups.
    let mut group_has_email = vec![false; n];
    let mut group_seen = vec![false; n];
    let mut first_of_group = vec![false; n];
    for i in 0..n as u32 {
        let g = find(uf, i) as usize;
        if !group_seen[g] {
            group_seen[g] = true;
            first_of_group[i as usize] = true;
        }
        if rec(i as usize).is_email() {
            group_has_email[g] = true;
        }
    }
    let mut time_edges = Vec::new();
    let mut last_trusted: Option<u32> = None;
    for i in 0..n as u32 {
        let r = rec(i as usize);
        if !r.time_trusted {
            continue;
        }
        if first_of_group[i as usize] && !group_has_email[find(uf, i) as usize] {
            if let Some(p) = last_trusted {
                let gap = (r.time - rec(p as usize).time).num_seconds();
                if gap <= config.gap_secs(&r.channel) as i64 {
                    time_edges.push((i, p));
                }
            }
        }
        last_trusted = Some(i);
    }
    for (i, p) in time_edges {
        edges.push((i, p, JoinKind::TimeWindow));
        union(uf, i, p);
    }

    // Conversations, ordered by their first message.
    let mut conv_of_root: FxHashMap<u32, u32> = FxHashMap::default();
    let mut convs: Vec<Vec<u32>> = Vec::new();
    for i in 0..n as u32 {
        let root = find(uf, i);
        let c = *conv_of_root.entry(root).or_insert_with(|| {
            convs.push(Vec::new());
            (convs.len() - 1) as u32
        });
        convs[c as usize].push(i);
        placements[i as usize].conv = c;
    }

    // How each message joined: its email parent first, then the strongest link to an earlier
    // message, then to a later one.
    let mut incident: Vec<(u32, u32, JoinKind)> = Vec::with_capacity(edges.len() * 2);
    for &(a, b, kind) in edges.iter() {
        incident.push((a, b, kind));
        if kind != JoinKind::EmailReply {
            incident.push((b, a, kind));
        }
    }
    incident.sort_unstable_by(|x, y| {
        x.0.cmp(&y.0)
            .then((x.1 > x.0).cmp(&(y.1 > y.0)))
            .then(rank(x.2).cmp(&rank(y.2)))
            .then(x.1.cmp(&y.1))
    });
    let mut best: Vec<Option<(u32, JoinKind)>> = vec![None; n];
    for &(x, other, kind) in &incident {
        let current = &mut best[x as usize];
        let better = match *current {
            None => true,
            Some((_, JoinKind::EmailReply)) => false,
            Some(_) => kind == JoinKind::EmailReply && other > x,
        };
        if better {
            *current = Some((other, kind));
        }
    }
    for (c, members) in convs.iter().enumerate() {
        for (k, &i) in members.iter().enumerate() {
            let p = &mut placements[i as usize];
            p.join = match (k, best[i as usize]) {
                (_, Some((other, JoinKind::EmailReply))) => Join {
                    via: JoinKind::EmailReply,
                    with: slots[other as usize],
                },
                (0, _) | (_, None) => Join {
                    via: JoinKind::Start,
                    with: NONE,
                },
                (_, Some((other, via))) => Join {
                    via,
                    with: slots[other as usize],
                },
            };
            debug_assert_eq!(p.conv, c as u32);
        }
    }

    let cores = convs
        .into_iter()
        .map(|members| {
            let members: Vec<u32> = members.into_iter().map(|i| slots[i as usize]).collect();
            let summary = summarize(&members, records);
            ConvCore { members, summary }
        })
        .collect();
    (cores, placements)
}
