//! The ring bus itself: pure Rust, no Node. A bounded ring per topic, one sequence across the bus.
//!
//! The payload type is generic so `cargo test` exercises the real logic with plain strings while
//! the binding stores JS strings and buffer references.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, VecDeque};

/// Highest priority a publisher may give (the seed's 0 low, 1 normal, 2 high, 3 critical).
pub const MAX_PRIORITY: u8 = 3;
pub const DEFAULT_PRIORITY: u8 = 1;

#[derive(Debug, Clone, Copy)]
pub struct BusOptions {
    /// Events kept per topic; the oldest is evicted first.
    pub capacity: usize,
    /// Distinct topics kept; past it the topic published to least recently is dropped whole.
    pub max_topics: usize,
}

impl Default for BusOptions {
    fn default() -> Self {
        BusOptions {
            capacity: 10_000,
            max_topics: 10_000,
        }
    }
}

#[derive(Debug)]
pub struct Entry<P> {
    pub seq: u64,
    pub ts: f64,
    pub priority: u8,
    pub payload: P,
}

struct Ring<P> {
    entries: VecDeque<Entry<P>>,
    published: u64,
    evictions: u64,
    /// The newest seq this ring evicted: a cursor behind it has lost events.
    evicted_max_seq: u64,
    last_seq: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TopicStats {
    pub topic: String,
    pub count: usize,
    pub published: u64,
    pub evictions: u64,
    pub last_seq: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BusStats {
    pub published: u64,
    pub last_seq: u64,
    pub topics: usize,
    pub evictions: u64,
    pub subscribers: usize,
    pub per_topic: Vec<TopicStats>,
}

/// What a read found: the events (borrowed from the rings), whether the cursor fell off, and the
/// cursor to pass next time.
pub struct ReadOut<'a, P> {
    pub events: Vec<(&'a str, &'a Entry<P>)>,
    pub resync_required: bool,
    pub next: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BusError {
    Priority,
    Since,
    Max,
    Pattern,
    Subscriber,
    Topic,
}

impl std::fmt::Display for BusError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // These texts are shared with the TypeScript fallback, word for word.
        f.write_str(match self {
            BusError::Priority => "priority: must be an integer from 0 to 3",
            BusError::Since => "since: must be a non-negative integer",
            BusError::Max => "max: must be a non-negative integer",
            BusError::Pattern => "pattern: must be a topic, a prefix ending in .*, or *",
            BusError::Subscriber => "subscriber: unknown id",
            BusError::Topic => "topic: must be a non-empty name without *",
        })
    }
}

/// `*` matches all; `a.b.*` matches every topic under `a.b.`; anything else matches itself.
pub fn topic_matches(pattern: &str, topic: &str) -> bool {
    if pattern == "*" || pattern == topic {
        return true;
    }
    match pattern.strip_suffix('*') {
        Some(prefix) if prefix.ends_with('.') => topic.starts_with(prefix),
        _ => false,
    }
}

pub fn valid_topic(topic: &str) -> bool {
    !topic.is_empty() && !topic.contains('*')
}

pub fn valid_pattern(pattern: &str) -> bool {
    !pattern.is_empty() && (!pattern.contains('*') || pattern == "*" || (pattern.ends_with(".*") && pattern.matches('*').count() == 1))
}

/// A JS number given as a cursor or count: finite, integral, not negative.
pub fn count_from_f64(value: f64) -> Option<u64> {
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= 9_007_199_254_740_991.0 {
        Some(value as u64)
    } else {
        None
    }
}

struct Subscriber {
    pattern: String,
    cursor: u64,
}

pub struct Bus<P> {
    options: BusOptions,
    seq: u64,
    rings: HashMap<String, Ring<P>>,
    evictions_of_dropped: u64,
    /// Newest seq lost with a dropped topic; a reader behind it may have lost events.
    dropped_max_seq: u64,
    subscribers: HashMap<u32, Subscriber>,
    next_subscriber: u32,
}

impl<P> Bus<P> {
    pub fn new(options: BusOptions) -> Self {
        Bus {
            options: BusOptions {
                capacity: options.capacity.max(1),
                max_topics: options.max_topics.max(1),
            },
            seq: 0,
            rings: HashMap::new(),
            evictions_of_dropped: 0,
            dropped_max_seq: 0,
            subscribers: HashMap::new(),
            next_subscriber: 1,
        }
    }

    pub fn last_seq(&self) -> u64 {
        self.seq
    }

    /// Append one event; returns its seq, or an error (and nothing published) for a bad priority.
    pub fn publish(&mut self, topic: &str, payload: P, priority: u8, ts: f64) -> Result<u64, BusError> {
        if priority > MAX_PRIORITY {
            return Err(BusError::Priority);
        }
        if !valid_topic(topic) {
            return Err(BusError::Topic);
        }
        if !self.rings.contains_key(topic) {
            if self.rings.len() >= self.options.max_topics {
                self.drop_stalest_topic();
            }
            self.rings.insert(
                topic.to_owned(),
                Ring {
                    entries: VecDeque::with_capacity(self.options.capacity.min(64)),
                    published: 0,
                    evictions: 0,
                    evicted_max_seq: 0,
                    last_seq: 0,
                },
            );
        }
        self.seq += 1;
        let seq = self.seq;
        let capacity = self.options.capacity;
        let ring = self.rings.get_mut(topic).expect("ring inserted above");
        if ring.entries.len() >= capacity {
            if let Some(old) = ring.entries.pop_front() {
                ring.evicted_max_seq = old.seq;
                ring.evictions += 1;
            }
        }
        ring.entries.push_back(Entry {
            seq,
            ts,
            priority,
            payload,
        });
        ring.published += 1;
        ring.last_seq = seq;
        Ok(seq)
    }

    fn drop_stalest_topic(&mut self) {
        let stalest = self
            .rings
            .iter()
            .min_by_key(|(_, ring)| ring.last_seq)
            .map(|(topic, _)| topic.clone());
        if let Some(topic) = stalest {
            if let Some(ring) = self.rings.remove(&topic) {
                self.evictions_of_dropped += ring.evictions + ring.entries.len() as u64;
                self.dropped_max_seq = self.dropped_max_seq.max(ring.last_seq);
            }
        }
    }

    /// Events with seq > `since` on topics matching `pattern`, oldest first, at most `max`.
    /// With `highest_first` the same window (the first `max` by seq) comes back ordered by
    /// priority, highest first, then by seq, so the cursor stays exact.
    pub fn read(&self, pattern: &str, since: u64, max: usize, highest_first: bool) -> Result<ReadOut<'_, P>, BusError> {
        if !valid_pattern(pattern) {
            return Err(BusError::Pattern);
        }
        // A cursor ahead of the bus comes from an earlier life of it: the reader must resync.
        let mut resync_required = since > self.seq || (since < self.dropped_max_seq);
        let mut sources: Vec<(&str, &VecDeque<Entry<P>>, usize)> = Vec::new();
        if pattern.ends_with('*') {
            for (topic, ring) in &self.rings {
                if topic_matches(pattern, topic) {
                    resync_required |= ring.evicted_max_seq > since;
                    sources.push((topic.as_str(), &ring.entries, first_after(&ring.entries, since)));
                }
            }
        } else if let Some((topic, ring)) = self.rings.get_key_value(pattern) {
            resync_required |= ring.evicted_max_seq > since;
            sources.push((topic.as_str(), &ring.entries, first_after(&ring.entries, since)));
        }
        let mut events = merge(&sources, max);
        let next = events.last().map_or(since, |(_, e)| e.seq);
        if highest_first {
            events.sort_by_key(|(_, e)| (Reverse(e.priority), e.seq));
        }
        Ok(ReadOut {
            events,
            resync_required,
            next,
        })
    }

    /// A server-side cursor over `pattern`, starting after `since`.
    pub fn subscribe(&mut self, pattern: &str, since: u64) -> Result<u32, BusError> {
        if !valid_pattern(pattern) {
            return Err(BusError::Pattern);
        }
        let id = self.next_subscriber;
        self.next_subscriber = self.next_subscriber.wrapping_add(1).max(1);
        self.subscribers.insert(
            id,
            Subscriber {
                pattern: pattern.to_owned(),
                cursor: since,
            },
        );
        Ok(id)
    }

    /// The subscriber's next events; its cursor moves past them.
    pub fn poll(&mut self, id: u32, max: usize, highest_first: bool) -> Result<ReadOut<'_, P>, BusError> {
        let (pattern, cursor) = match self.subscribers.get(&id) {
            Some(sub) => (sub.pattern.clone(), sub.cursor),
            None => return Err(BusError::Subscriber),
        };
        // Read once to learn the new cursor, store it, then hand back the borrowed events.
        let next = self.read(&pattern, cursor, max, false)?.next;
        if let Some(sub) = self.subscribers.get_mut(&id) {
            sub.cursor = next;
        }
        self.read(&pattern, cursor, max, highest_first)
    }

    pub fn unsubscribe(&mut self, id: u32) -> bool {
        self.subscribers.remove(&id).is_some()
    }

    pub fn stats(&self) -> BusStats {
        let mut per_topic: Vec<TopicStats> = self
            .rings
            .iter()
            .map(|(topic, ring)| TopicStats {
                topic: topic.clone(),
                count: ring.entries.len(),
                published: ring.published,
                evictions: ring.evictions,
                last_seq: ring.last_seq,
            })
            .collect();
        per_topic.sort_by(|a, b| a.topic.cmp(&b.topic));
        BusStats {
            published: self.seq,
            last_seq: self.seq,
            topics: self.rings.len(),
            evictions: self.evictions_of_dropped + per_topic.iter().map(|t| t.evictions).sum::<u64>(),
            subscribers: self.subscribers.len(),
            per_topic,
        }
    }
}

/// Index of the first entry with seq > since (entries are in seq order).
fn first_after<P>(entries: &VecDeque<Entry<P>>, since: u64) -> usize {
    entries.partition_point(|e| e.seq <= since)
}

/// The first `max` entries by seq across several seq-ordered rings.
fn merge<'a, P>(sources: &[(&'a str, &'a VecDeque<Entry<P>>, usize)], max: usize) -> Vec<(&'a str, &'a Entry<P>)> {
    let mut out = Vec::new();
    if max == 0 {
        return out;
    }
    if let [(topic, entries, start)] = sources {
        out.extend(entries.range(*start..).take(max).map(|e| (*topic, e)));
        return out;
    }
    let mut heap: BinaryHeap<Reverse<(u64, usize, usize)>> = BinaryHeap::with_capacity(sources.len());
    for (i, (_, entries, start)) in sources.iter().enumerate() {
        if let Some(e) = entries.get(*start) {
            heap.push(Reverse((e.seq, i, *start)));
        }
    }
    while let Some(Reverse((_, i, at))) = heap.pop() {
        let (topic, entries, _) = sources[i];
        out.push((topic, &entries[at]));
        if out.len() == max {
            break;
        }
        if let Some(e) = entries.get(at + 1) {
            heap.push(Reverse((e.seq, i, at + 1)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bus(capacity: usize) -> Bus<String> {
        Bus::new(BusOptions { capacity, max_topics: 100 })
    }

    fn seqs(out: &ReadOut<'_, String>) -> Vec<u64> {
        out.events.iter().map(|(_, e)| e.seq).collect()
    }

    #[test]
    fn seq_is_monotonic_across_topics() {
        let mut b = bus(4);
        assert_eq!(b.publish("a", "1".into(), 1, 0.0), Ok(1));
        assert_eq!(b.publish("b", "2".into(), 1, 0.0), Ok(2));
        assert_eq!(b.publish("a", "3".into(), 1, 0.0), Ok(3));
        assert_eq!(b.last_seq(), 3);
    }

    #[test]
    fn read_merges_topics_in_seq_order_and_limits() {
        let mut b = bus(10);
        for i in 0..9 {
            let topic = if i % 3 == 0 {
                "team.a.x"
            } else if i % 3 == 1 {
                "team.a.y"
            } else {
                "team.b.x"
            };
            b.publish(topic, i.to_string(), 1, 0.0).unwrap();
        }
        let out = b.read("team.a.*", 0, 100, false).unwrap();
        assert_eq!(seqs(&out), vec![1, 2, 4, 5, 7, 8]);
        assert!(!out.resync_required);
        let out = b.read("team.a.*", 2, 3, false).unwrap();
        assert_eq!(seqs(&out), vec![4, 5, 7]);
        assert_eq!(out.next, 7);
        let out = b.read("*", 8, 10, false).unwrap();
        assert_eq!(seqs(&out), vec![9]);
        let out = b.read("team.b.x", 9, 10, false).unwrap();
        assert!(out.events.is_empty());
        assert_eq!(out.next, 9);
    }

    #[test]
    fn eviction_sets_resync_only_for_cursors_behind_it() {
        let mut b = bus(3);
        for i in 0..5 {
            b.publish("t", i.to_string(), 1, 0.0).unwrap();
        }
        // Ring holds 3, 4, 5; 1 and 2 are gone.
        let out = b.read("t", 0, 10, false).unwrap();
        assert!(out.resync_required);
        assert_eq!(seqs(&out), vec![3, 4, 5]);
        assert!(b.read("t", 1, 10, false).unwrap().resync_required);
        assert!(!b.read("t", 2, 10, false).unwrap().resync_required);
        assert_eq!(b.stats().evictions, 2);
    }

    #[test]
    fn cursor_ahead_of_the_bus_must_resync() {
        let mut b = bus(3);
        b.publish("t", "x".into(), 1, 0.0).unwrap();
        assert!(b.read("t", 5, 10, false).unwrap().resync_required);
        assert!(!b.read("t", 1, 10, false).unwrap().resync_required);
    }

    #[test]
    fn patterns() {
        assert!(topic_matches("team.alpha.*", "team.alpha.tasks"));
        assert!(topic_matches("team.alpha.*", "team.alpha.chat.x"));
        assert!(!topic_matches("team.alpha.*", "team.alphabet.tasks"));
        assert!(!topic_matches("team.alpha.*", "team.alpha"));
        assert!(topic_matches("*", "anything"));
        assert!(!valid_pattern("team.*.x"));
        assert!(!valid_pattern("team*"));
        assert!(!valid_pattern(""));
        assert!(valid_pattern("team.a"));
    }

    #[test]
    fn highest_first_orders_the_window_by_priority() {
        let mut b = bus(10);
        b.publish("t", "low".into(), 0, 0.0).unwrap();
        b.publish("t", "crit".into(), 3, 0.0).unwrap();
        b.publish("t", "norm".into(), 1, 0.0).unwrap();
        b.publish("t", "crit2".into(), 3, 0.0).unwrap();
        let out = b.read("t", 0, 3, true).unwrap();
        assert_eq!(seqs(&out), vec![2, 3, 1]);
        assert_eq!(
            out.events.iter().map(|(_, e)| e.payload.as_str()).collect::<Vec<_>>(),
            vec!["crit", "norm", "low"]
        );
        assert_eq!(out.next, 3);
        assert_eq!(b.publish("t", "bad".into(), 4, 0.0), Err(BusError::Priority));
        assert_eq!(b.last_seq(), 4);
    }

    #[test]
    fn max_topics_drops_the_stalest_and_forces_resync_behind_it() {
        let mut b: Bus<String> = Bus::new(BusOptions {
            capacity: 10,
            max_topics: 2,
        });
        b.publish("a", "1".into(), 1, 0.0).unwrap();
        b.publish("b", "2".into(), 1, 0.0).unwrap();
        b.publish("c", "3".into(), 1, 0.0).unwrap();
        let stats = b.stats();
        assert_eq!(stats.topics, 2);
        assert_eq!(stats.evictions, 1);
        assert!(b.read("*", 0, 10, false).unwrap().resync_required);
        assert!(!b.read("*", 1, 10, false).unwrap().resync_required);
    }

    #[test]
    fn subscribers_poll_and_advance() {
        let mut b = bus(10);
        let id = b.subscribe("team.a.*", 0).unwrap();
        b.publish("team.a.x", "1".into(), 1, 0.0).unwrap();
        b.publish("team.b.x", "2".into(), 1, 0.0).unwrap();
        b.publish("team.a.y", "3".into(), 1, 0.0).unwrap();
        assert_eq!(seqs(&b.poll(id, 1, false).unwrap()), vec![1]);
        assert_eq!(seqs(&b.poll(id, 10, false).unwrap()), vec![3]);
        assert!(b.poll(id, 10, false).unwrap().events.is_empty());
        assert_eq!(b.stats().subscribers, 1);
        assert!(b.unsubscribe(id));
        assert!(b.poll(id, 10, false).is_err());
    }

    #[test]
    fn counts_from_js_numbers() {
        assert_eq!(count_from_f64(3.0), Some(3));
        assert_eq!(count_from_f64(-1.0), None);
        assert_eq!(count_from_f64(1.5), None);
        assert_eq!(count_from_f64(f64::NAN), None);
        assert_eq!(count_from_f64(f64::INFINITY), None);
    }
}
