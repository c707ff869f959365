//! The thin Node binding over `bus`. Strings are copied in (N-API cannot lend a JS string);
//! buffers are held by reference, so publishing and reading a buffer never copies its bytes.

use std::time::{SystemTime, UNIX_EPOCH};

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::bus::{count_from_f64, valid_topic, Bus, BusError, BusOptions, DEFAULT_PRIORITY, MAX_PRIORITY};
use crate::packed::split_utf16;
use crate::values::{read_value, Payload, Raw};

fn invalid(error: BusError) -> Error {
    Error::new(Status::InvalidArg, error.to_string())
}

fn now_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_millis() as f64)
}

fn priority_of(value: Option<f64>) -> Result<u8> {
    match value {
        None => Ok(DEFAULT_PRIORITY),
        Some(p) => match count_from_f64(p) {
            Some(p) if p <= 3 => Ok(p as u8),
            _ => Err(invalid(BusError::Priority)),
        },
    }
}

fn max_of(value: Option<f64>) -> Result<usize> {
    match value {
        None => Ok(1000),
        Some(m) => count_from_f64(m)
            .map(|m| m.min(u32::MAX as u64) as usize)
            .ok_or_else(|| invalid(BusError::Max)),
    }
}

fn since_of(value: f64) -> Result<u64> {
    count_from_f64(value).ok_or_else(|| invalid(BusError::Since))
}

fn positive(value: Option<f64>, default: usize, name: &str) -> Result<usize> {
    match value {
        None => Ok(default),
        Some(v) => match count_from_f64(v) {
            Some(n) if n >= 1 => Ok(n.min(u32::MAX as u64) as usize),
            _ => Err(Error::new(Status::InvalidArg, format!("{name}: must be a positive integer"))),
        },
    }
}

#[napi(object, object_to_js = false)]
pub struct RingBusOptions {
    pub capacity: Option<f64>,
    pub max_topics: Option<f64>,
}

#[napi(object, object_to_js = false)]
pub struct ReadOptions {
    pub highest_first: Option<bool>,
}

#[napi(object, object_to_js = false)]
pub struct BatchItem {
    pub topic: String,
    #[napi(ts_type = "string | Uint8Array")]
    pub payload: Payload,
    pub priority: Option<f64>,
}

#[napi(object)]
pub struct TopicStatsJs {
    pub topic: String,
    pub count: f64,
    pub published: f64,
    pub evictions: f64,
    pub last_seq: f64,
}

#[napi(object)]
pub struct RingBusStats {
    pub published: f64,
    pub last_seq: f64,
    pub topics: f64,
    pub evictions: f64,
    pub subscribers: f64,
    pub per_topic: Vec<TopicStatsJs>,
}

/// The bus's native core; `core/native/ringbus.ts` wraps it into the contract of
/// `core/native/ringbus-types.ts` (reads come back as columns).
#[napi]
pub struct RingBusCore {
    bus: Bus<Payload>,
}

#[napi]
impl RingBusCore {
    #[napi(constructor, catch_unwind)]
    pub fn new(options: Option<RingBusOptions>) -> Result<Self> {
        let defaults = BusOptions::default();
        let (capacity, max_topics) = match options {
            Some(o) => (o.capacity, o.max_topics),
            None => (None, None),
        };
        Ok(RingBusCore {
            bus: Bus::new(BusOptions {
                capacity: positive(capacity, defaults.capacity, "capacity")?,
                max_topics: positive(max_topics, defaults.max_topics, "maxTopics")?,
            }),
        })
    }

    #[napi(catch_unwind)]
    pub fn publish(
        &mut self,
        topic: String,
        #[napi(ts_arg_type = "string | Uint8Array")] payload: Payload,
        priority: Option<f64>,
    ) -> Result<f64> {
        let priority = priority_of(priority)?;
        self.bus
            .publish(&topic, payload, priority, now_ms())
            .map(|seq| seq as f64)
            .map_err(invalid)
    }

    /// Publish several events in one crossing; all or none (validated first). Returns the last
    /// seq: a batch's seqs are contiguous, so the first is `last - items.length + 1`.
    #[napi(catch_unwind)]
    pub fn publish_batch(&mut self, items: Vec<BatchItem>) -> Result<f64> {
        let priorities = items.iter().map(|item| priority_of(item.priority)).collect::<Result<Vec<u8>>>()?;
        if items.iter().any(|item| !valid_topic(&item.topic)) {
            return Err(invalid(BusError::Topic));
        }
        let ts = now_ms();
        for (item, priority) in items.into_iter().zip(priorities) {
            self.bus.publish(&item.topic, item.payload, priority, ts).map_err(invalid)?;
        }
        Ok(self.bus.last_seq() as f64)
    }

    /// Many string events in one crossing; the loader buffers publishes into it. `topics` are the
    /// distinct topics; per event: `topic_index`, `priorities`, `ts`, and its payload's length in
    /// UTF-16 units within `joined` (the payloads, well-formed, end to end). All or none; returns
    /// the last seq.
    #[napi(catch_unwind)]
    pub fn publish_packed(
        &mut self,
        topics: Vec<String>,
        topic_index: Uint32ArraySlice,
        priorities: Uint8ArraySlice,
        ts: Float64ArraySlice,
        joined: String,
        lengths: Uint32ArraySlice,
    ) -> Result<f64> {
        let n = lengths.len();
        if topic_index.len() != n || priorities.len() != n || ts.len() != n {
            return Err(Error::new(Status::InvalidArg, "packed: columns differ in length".to_owned()));
        }
        if priorities.iter().any(|&p| p > MAX_PRIORITY) {
            return Err(invalid(BusError::Priority));
        }
        if topics.iter().any(|t| !valid_topic(t)) || topic_index.iter().any(|&i| i as usize >= topics.len()) {
            return Err(invalid(BusError::Topic));
        }
        let payloads =
            split_utf16(&joined, &lengths).ok_or_else(|| Error::new(Status::InvalidArg, "packed: lengths do not add up".to_owned()))?;
        for (i, payload) in payloads.into_iter().enumerate() {
            let topic = &topics[topic_index[i] as usize];
            self.bus
                .publish(topic, Payload::Text(payload.to_owned()), priorities[i], ts[i])
                .map_err(invalid)?;
        }
        Ok(self.bus.last_seq() as f64)
    }

    #[napi(
        catch_unwind,
        ts_return_type = "{ numbers: Float64Array; topics: string[]; payloads: Array<string | Uint8Array>; resyncRequired: boolean; next: number }"
    )]
    pub fn read(&self, env: &Env, pattern: String, since: f64, max: Option<f64>, options: Option<ReadOptions>) -> Result<Raw> {
        let since = since_of(since)?;
        let max = max_of(max)?;
        let highest_first = options.and_then(|o| o.highest_first).unwrap_or(false);
        let out = self.bus.read(&pattern, since, max, highest_first).map_err(invalid)?;
        unsafe { read_value(env.raw(), out) }
    }

    #[napi(catch_unwind)]
    pub fn subscribe(&mut self, pattern: String, since: Option<f64>) -> Result<u32> {
        let since = match since {
            Some(s) => since_of(s)?,
            None => self.bus.last_seq(),
        };
        self.bus.subscribe(&pattern, since).map_err(invalid)
    }

    #[napi(
        catch_unwind,
        ts_return_type = "{ numbers: Float64Array; topics: string[]; payloads: Array<string | Uint8Array>; resyncRequired: boolean; next: number }"
    )]
    pub fn poll(&mut self, env: &Env, id: u32, max: Option<f64>, options: Option<ReadOptions>) -> Result<Raw> {
        let max = max_of(max)?;
        let highest_first = options.and_then(|o| o.highest_first).unwrap_or(false);
        let out = self.bus.poll(id, max, highest_first).map_err(invalid)?;
        unsafe { read_value(env.raw(), out) }
    }

    #[napi(catch_unwind)]
    pub fn unsubscribe(&mut self, id: u32) -> bool {
        self.bus.unsubscribe(id)
    }

    #[napi(getter)]
    pub fn last_seq(&self) -> f64 {
        self.bus.last_seq() as f64
    }

    #[napi(catch_unwind)]
    pub fn stats(&self) -> RingBusStats {
        let s = self.bus.stats();
        RingBusStats {
            published: s.published as f64,
            last_seq: s.last_seq as f64,
            topics: s.topics as f64,
            evictions: s.evictions as f64,
            subscribers: s.subscribers as f64,
            per_topic: s
                .per_topic
                .into_iter()
                .map(|t| TopicStatsJs {
                    topic: t.topic,
                    count: t.count as f64,
                    published: t.published as f64,
                    evictions: t.evictions as f64,
                    last_seq: t.last_seq as f64,
                })
                .collect(),
        }
    }
}
