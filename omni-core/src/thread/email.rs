//! Email threading by Jamie Zawinski's algorithm (<https://www.jwz.org/doc/threading.html>)
//! over `Message-ID`, `References` and `In-Reply-To`: containers for every id seen, links along
//! each `References` chain unless they would close a loop, a message's own parent taken from its
//! last reference (overriding what other messages' references claimed), placeholders for
//! missing parents, and a fresh container for a repeated `Message-ID`.
//!
//! The messages are processed in one fixed order (time, then id), so the result is a function of
//! the set of messages, not of their arrival order. Subject grouping (JWZ step 5) is done by the
//! caller, which knows the times.

use super::record::EmailFacts;
use super::{Problem, ProblemKind};
use rustc_hash::FxHashMap;

const NONE: u32 = u32::MAX;

#[derive(Clone, Copy)]
struct Container {
    /// The participant held, or NONE for a placeholder (a message referred to but not present).
    message: u32,
    parent: u32,
}

/// The threads of a set of email messages, in buffers reused from one customer to the next.
#[derive(Default)]
pub(crate) struct EmailThreads<'a> {
    /// Per participant: its thread, as the index of the thread's top container.
    pub thread: Vec<u32>,
    /// Per participant: the participant that is its nearest present ancestor (its parent once
    /// placeholders are pruned), if any.
    pub parent: Vec<Option<u32>>,
    /// Problems found, by participant.
    pub problems: Vec<(u32, Problem)>,
    containers: Vec<Container>,
    table: FxHashMap<&'a str, u32>,
    own: Vec<u32>,
    top: Vec<u32>,
    path: Vec<u32>,
}

// Whether `a` is `b` or an ancestor of `b`.
fn is_ancestor(containers: &[Container], a: u32, b: u32) -> bool {
    let mut x = b;
    let mut steps = 0;
    while x != NONE {
        if x == a {
            return true;
        }
        x = containers[x as usize].parent;
        steps += 1;
        if steps > containers.len() {
            return true; // cannot happen (no loops are made); refuse the link if it did
        }
    }
    false
}

fn new_container(containers: &mut Vec<Container>, message: u32) -> u32 {
    containers.push(Container {
        message,
        parent: NONE,
    });
    (containers.len() - 1) as u32
}

impl<'a> EmailThreads<'a> {
    /// Threads `items` (in the fixed processing order); `name` gives a participant's message
    /// id for problem texts (read only when there is a problem). The results replace those of
    /// the previous call.
    pub(crate) fn run(&mut self, items: &[&'a EmailFacts], name: &dyn Fn(u32) -> &'a str) {
        let containers = &mut self.containers;
        let table = &mut self.table;
        let own = &mut self.own;
        let problems = &mut self.problems;
        containers.clear();
        table.clear();
        own.clear();
        problems.clear();

        for (p, facts) in items.iter().enumerate() {
            let p = p as u32;
            // 1A: this message's container.
            let c = match facts.message_id.as_deref() {
                Some(id) => match table.get(id).copied() {
                    Some(c) if containers[c as usize].message == NONE => {
                        containers[c as usize].message = p;
                        c
                    }
                    Some(c) => {
                        let first = containers[c as usize].message;
                        problems.push((
                            p,
                            Problem::new(
                                ProblemKind::DuplicateMessageId,
                                format!(
                                    "refs.message_id: {id:?} is also the Message-ID of message {:?}; threaded as a copy",
                                    name(first)
                                ),
                            ),
                        ));
                        new_container(containers, p)
                    }
                    None => {
                        let c = new_container(containers, p);
                        table.insert(id, c);
                        c
                    }
                },
                None => new_container(containers, p),
            };
            own.push(c);
            // 1B: link the References chain, never changing existing links or closing a loop.
            let mut previous = NONE;
            for id in facts.parents.iter() {
                let r = match table.get(&**id).copied() {
                    Some(r) => r,
                    None => {
                        let r = new_container(containers, NONE);
                        table.insert(id, r);
                        r
                    }
                };
                if previous != NONE
                    && previous != r
                    && containers[r as usize].parent == NONE
                    && !is_ancestor(containers, r, previous)
                {
                    containers[r as usize].parent = previous;
                }
                previous = r;
            }
            // 1C: the message's parent is its last reference, unless that closes a loop.
            if previous == NONE {
                containers[c as usize].parent = NONE;
            } else if is_ancestor(containers, c, previous) {
                problems.push((
                    p,
                    Problem::new(
                        ProblemKind::ReferenceLoop,
                        format!(
                            "refs: the references of {:?} lead back to itself; that link is ignored",
                            name(p)
                        ),
                    ),
                ));
            } else {
                containers[c as usize].parent = previous;
            }
        }
        // A parent that never arrived (judged on the final containers, whatever the order).
        for (p, &c) in own.iter().enumerate() {
            let parent = containers[c as usize].parent;
            if parent != NONE && containers[parent as usize].message == NONE {
                let id = table
                    .iter()
                    .find(|(_, &x)| x == parent)
                    .map_or("", |(id, _)| *id);
                problems.push((
                    p as u32,
                    Problem::new(
                        ProblemKind::MissingParent,
                        format!("refs: the message it replies to ({id:?}) is not among the customer's messages"),
                    ),
                ));
            }
        }

        // Top containers, memoised along each path.
        let top = &mut self.top;
        let path = &mut self.path;
        top.clear();
        top.resize(containers.len(), NONE);
        for start in 0..containers.len() as u32 {
            let mut x = start;
            while top[x as usize] == NONE && containers[x as usize].parent != NONE {
                path.push(x);
                x = containers[x as usize].parent;
            }
            let root = if top[x as usize] == NONE {
                x
            } else {
                top[x as usize]
            };
            top[x as usize] = root;
            for y in path.drain(..) {
                top[y as usize] = root;
            }
        }
        self.thread.clear();
        self.thread.extend(own.iter().map(|&c| top[c as usize]));
        self.parent.clear();
        self.parent.extend(own.iter().map(|&c| {
            let mut x = containers[c as usize].parent;
            while x != NONE {
                let m = containers[x as usize].message;
                if m != NONE {
                    return Some(m);
                }
                x = containers[x as usize].parent;
            }
            None
        }));
    }
}

/// Threads `items` with fresh buffers (see [`EmailThreads::run`]).
#[cfg(test)]
fn thread_emails<'a>(items: &[&'a EmailFacts], names: &[&'a str]) -> EmailThreads<'a> {
    let mut t = EmailThreads::default();
    t.run(items, &|p| names[p as usize]);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(id: &str, refs: &[&str]) -> EmailFacts {
        EmailFacts {
            message_id: Some(id.into()),
            parents: refs.iter().map(|&r| r.into()).collect(),
            subject: None,
        }
    }

    #[test]
    fn a_chain_a_missing_parent_and_a_loop() {
        let items = [
            facts("1", &[]),
            facts("2", &["1"]),
            facts("3", &["1", "2"]),
            facts("5", &["3", "x1", "x2"]),
            facts("7", &["nonesuch"]),
            facts("8", &["nonesuch"]),
            facts("l1", &["l2"]),
            facts("l2", &["l1"]),
            facts("self", &["self"]),
        ];
        let refs: Vec<&EmailFacts> = items.iter().collect();
        let names = ["1", "2", "3", "5", "7", "8", "l1", "l2", "self"];
        let t = thread_emails(&refs, &names);
        assert_eq!(t.parent[..4], [None, Some(0), Some(1), Some(2)]);
        assert!(t.thread[..4].iter().all(|&x| x == t.thread[0]));
        assert_eq!(t.thread[4], t.thread[5]);
        assert_ne!(t.thread[4], t.thread[0]);
        assert_eq!((t.parent[4], t.parent[5]), (None, None));
        assert_eq!(t.thread[6], t.thread[7]);
        assert_eq!(t.parent[6], Some(7));
        assert_eq!(t.parent[7], None);
        let kinds: Vec<(u32, ProblemKind)> = t.problems.iter().map(|(p, e)| (*p, e.kind)).collect();
        assert!(kinds.contains(&(7, ProblemKind::ReferenceLoop)));
        assert!(kinds.contains(&(8, ProblemKind::ReferenceLoop)));
        assert!(kinds.contains(&(4, ProblemKind::MissingParent)));
        assert!(
            !kinds.contains(&(6, ProblemKind::MissingParent)),
            "l2 arrived: {kinds:?}"
        );
    }

    #[test]
    fn a_repeated_message_id_is_a_copy_in_the_same_thread() {
        let items = [
            facts("dup", &[]),
            facts("kid", &["dup"]),
            facts("kid", &["dup"]),
        ];
        let refs: Vec<&EmailFacts> = items.iter().collect();
        let t = thread_emails(&refs, &["a", "b", "c"]);
        assert_eq!(t.parent, [None, Some(0), Some(0)]);
        assert_eq!(t.problems.len(), 1);
        assert_eq!(t.problems[0].1.kind, ProblemKind::DuplicateMessageId);
    }
}
