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

use super::email::EmailThreads;
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

/// Where one message is: its conversation (index in its customer's list), how it joined, and
/// whether problems were found while threading it (kept apart by the threader: few have any).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Placement {
    pub conv: u32,
    pub join: Join,
    pub has_problems: bool,
}

impl Default for Placement {
    fn default() -> Self {
        Placement {
            conv: NONE,
            join: Join {
                via: JoinKind::Start,
                with: NONE,
            },
            has_problems: false,
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
    /// Per conversation being computed: how many messages it has.
    sizes: Vec<u32>,
    /// Per message of the last customer computed: where it is.
    pub placements: Vec<Placement>,
    /// Problems found in the last customer computed: (message index, problem).
    pub problems: Vec<(u32, Problem)>,
    uf: Vec<u32>,
    keys: FxHashMap<(u8, &'a str), u32>,
    ids: FxHashMap<&'a str, u32>,
    edges: Vec<(u32, u32, JoinKind)>,
    incident: Vec<(u32, u32, JoinKind)>,
    best: Vec<Option<(u32, JoinKind)>>,
    participants: Vec<u32>,
    facts: Vec<&'a EmailFacts>,
    email: EmailThreads<'a>,
    threads: Vec<(u32, u32, u32, usize)>,
    by_subject: Vec<(&'a str, u32, u32, i64)>,
    flags: Vec<u8>,
    time_edges: Vec<(u32, u32)>,
    conv_of_root: Vec<u32>,
}

/// Orders two records by time, then id.
pub(crate) fn by_time_then_id(a: &Record, b: &Record) -> Ordering {
    a.time.cmp(&b.time).then_with(|| a.id().cmp(b.id()))
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
/// conversations (ordered by their first message); each message's placement, parallel to
/// `slots`, is left in `scratch.placements`.
pub(crate) fn compute<'a>(
    slots: &[u32],
    records: &'a [Option<Record>],
    config: &ThreadConfig,
    scratch: &mut Scratch<'a>,
) -> Vec<ConvCore> {
    let n = slots.len();
    let rec = |i: usize| -> &'a Record {
        records[slots[i] as usize]
            .as_ref()
            .expect("a customer's slots hold live records")
    };
    let placements = &mut scratch.placements;
    placements.clear();
    let problems = &mut scratch.problems;
    problems.clear();
    placements.resize(n, Placement::default());
    // One message that links to nothing: a conversation of its own.
    if n == 1 && !rec(0).is_email() && rec(0).reply_to().is_none() {
        placements[0].conv = 0;
        return vec![ConvCore {
            members: slots.to_vec(),
            summary: summarize(slots, records),
        }];
    }
    let uf = &mut scratch.uf;
    uf.clear();
    uf.extend(0..n as u32);
    let edges = &mut scratch.edges;
    edges.clear();

    // 1a. Email threads (JWZ), then subject grouping within the window.
    let participants = &mut scratch.participants;
    participants.clear();
    participants.extend((0..n as u32).filter(|&i| rec(i as usize).is_email()));
    if !participants.is_empty() {
        scratch.facts.clear();
        scratch.facts.extend(participants.iter().map(|&i| {
            rec(i as usize)
                .email
                .as_deref()
                .expect("participants have email facts")
        }));
        let threads = &mut scratch.email;
        threads.run(&scratch.facts, &|p| {
            rec(participants[p as usize] as usize).id()
        });
        for (p, problem) in threads.problems.drain(..) {
            problems.push((participants[p as usize], problem));
        }
        // Per thread: (thread, first participant, first parentless participant (names the
        // thread), last participant index), in order of first participant.
        let info = &mut scratch.threads;
        info.clear();
        for (p, &local) in participants.iter().enumerate() {
            info.push((threads.thread[p], local, NONE, p));
        }
        info.sort_by_key(|x| (x.0, x.1));
        let mut k = 0;
        while k < info.len() {
            let (t, first, _, _) = info[k];
            let mut named = NONE;
            let mut last_p = 0;
            let mut j = k;
            while j < info.len() && info[j].0 == t {
                let (_, local, _, p) = info[j];
                match threads.parent[p] {
                    Some(parent) => {
                        let parent_local = participants[parent as usize];
                        edges.push((local, parent_local, JoinKind::EmailReply));
                        union(uf, local, parent_local);
                    }
                    None => {
                        if named == NONE {
                            named = local;
                        }
                        if local != first {
                            edges.push((local, first, JoinKind::EmailThread));
                            union(uf, local, first);
                        }
                    }
                }
                last_p = last_p.max(p);
                j += 1;
            }
            // The group's first entry carries the thread's facts; the others are skipped below.
            info[k] = (t, first, named, last_p);
            k = j;
        }
        // Subject grouping: threads with the same subject key, sorted by start; a thread joins
        // the group before it when it starts within the window after the group's last message.
        let window = config.subject_window_secs as i64;
        let by_subject = &mut scratch.by_subject;
        by_subject.clear();
        if window > 0 {
            let mut k = 0;
            while k < info.len() {
                let (t, first, named, last_p) = info[k];
                let namer = if named == NONE { first } else { named };
                if let Some(subject) = rec(namer as usize)
                    .email
                    .as_ref()
                    .and_then(|e| e.subject.as_deref())
                {
                    let last = participants[last_p];
                    by_subject.push((subject, first, namer, rec(last as usize).time.timestamp()));
                }
                k += 1;
                while k < info.len() && info[k].0 == t {
                    k += 1;
                }
            }
        }
        by_subject.sort_unstable_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
        let mut current: Option<(&str, u32, i64)> = None;
        for &(subject, first, namer, last_time) in by_subject.iter() {
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
    if (0..n).any(|i| rec(i).reply_to().is_some()) {
        for i in 0..n {
            ids.entry(rec(i).id()).or_insert(i as u32);
        }
    }
    for i in 0..n as u32 {
        let r = rec(i as usize);
        if let Some(target) = r.reply_to() {
            match ids.get(target).copied() {
                Some(t) if t != i => {
                    edges.push((i, t, JoinKind::ReplyTo));
                    union(uf, i, t);
                }
                Some(_) => problems.push((
                    i,
                    Problem::new(
                        ProblemKind::ReferenceLoop,
                        "refs.reply_to_id: the message replies to itself; ignored".to_string(),
                    ),
                )),
                None => problems.push((
                    i,
                    Problem::new(
                        ProblemKind::MissingParent,
                        format!(
                            "refs.reply_to_id: {target:?} is not among the customer's messages"
                        ),
                    ),
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
        if let Some(s) = r.session() {
            link(0, s, JoinKind::Session);
        }
        if let Some(c) = r.provider_conversation() {
            link(1, c, JoinKind::ProviderConversation);
        }
        for k in r.keys().iter() {
            link(2, k, JoinKind::OrderOrTicket);
        }
    }

    // 2. Time continuity, decided on the explicit groups.
    const SEEN: u8 = 1;
    const HAS_EMAIL: u8 = 2;
    const FIRST: u8 = 4;
    let flags = &mut scratch.flags;
    flags.clear();
    flags.resize(n, 0);
    for i in 0..n as u32 {
        let g = find(uf, i) as usize;
        if flags[g] & SEEN == 0 {
            flags[g] |= SEEN;
            flags[i as usize] |= FIRST;
        }
        if rec(i as usize).is_email() {
            flags[g] |= HAS_EMAIL;
        }
    }
    let time_edges = &mut scratch.time_edges;
    time_edges.clear();
    let mut last_trusted: Option<u32> = None;
    for i in 0..n as u32 {
        let r = rec(i as usize);
        if !r.time_trusted {
            continue;
        }
        if flags[i as usize] & FIRST != 0 && flags[find(uf, i) as usize] & HAS_EMAIL == 0 {
            if let Some(p) = last_trusted {
                let gap = (r.time - rec(p as usize).time).num_seconds();
                if gap <= config.gap_secs_named(r.channel_name()) as i64 {
                    time_edges.push((i, p));
                }
            }
        }
        last_trusted = Some(i);
    }
    for &(i, p) in time_edges.iter() {
        edges.push((i, p, JoinKind::TimeWindow));
        union(uf, i, p);
    }

    // Conversations, ordered by their first message.
    let conv_of_root = &mut scratch.conv_of_root;
    conv_of_root.clear();
    conv_of_root.resize(n, NONE);
    // Sized first, so each conversation's members are allocated once.
    let sizes = &mut scratch.sizes;
    sizes.clear();
    for i in 0..n as u32 {
        let root = find(uf, i) as usize;
        if conv_of_root[root] == NONE {
            conv_of_root[root] = sizes.len() as u32;
            sizes.push(0);
        }
        let c = conv_of_root[root];
        sizes[c as usize] += 1;
        placements[i as usize].conv = c;
    }
    let mut convs: Vec<ConvCore> = sizes
        .iter()
        .map(|&size| ConvCore {
            members: Vec::with_capacity(size as usize),
            summary: Summary::default(),
        })
        .collect();
    for (i, p) in placements.iter().enumerate() {
        convs[p.conv as usize].members.push(slots[i]);
    }

    // How each message joined: its email parent first, then the strongest link to an earlier
    // message, then to a later one.
    let incident = &mut scratch.incident;
    incident.clear();
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
    let best = &mut scratch.best;
    best.clear();
    best.resize(n, None);
    for &(x, other, kind) in incident.iter() {
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
    for i in 0..n {
        let p = &mut placements[i];
        let first = convs[p.conv as usize].members[0] == slots[i];
        p.join = match (first, best[i]) {
            (_, Some((other, JoinKind::EmailReply))) => Join {
                via: JoinKind::EmailReply,
                with: slots[other as usize],
            },
            (true, _) | (_, None) => Join {
                via: JoinKind::Start,
                with: NONE,
            },
            (_, Some((other, via))) => Join {
                via,
                with: slots[other as usize],
            },
        };
    }

    for conv in &mut convs {
        conv.summary = summarize(&conv.members, records);
    }
    convs
}
