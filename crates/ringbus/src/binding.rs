//! The thin Node binding over `bus`. Strings are copied in (N-API cannot lend a JS string);
//! buffers are held by reference, so publishing and reading a buffer never copies its bytes.

use std::collections::HashMap;
use std::ffi::CStr;
use std::ptr;
use std::time::{SystemTime, UNIX_EPOCH};

use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;

use crate::bus::{count_from_f64, valid_topic, Bus, BusError, BusOptions, ReadOut, DEFAULT_PRIORITY, MAX_PRIORITY};

/// A payload as the bus keeps it: a copied string or a reference to the caller's buffer.
pub enum Payload {
    Text(String),
    Bytes(BufRef),
}

/// A strong reference to a JS Uint8Array/Buffer. The bus lives on the JS thread, so the reference
/// is created and deleted there.
pub struct BufRef {
    env: sys::napi_env,
    raw: sys::napi_ref,
}

impl Drop for BufRef {
    fn drop(&mut self) {
        // SAFETY: created on this env by napi_create_reference and deleted once, here.
        unsafe {
            sys::napi_delete_reference(self.env, self.raw);
        }
    }
}

fn check(status: sys::napi_status, what: &str) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(Status::from(status), what.to_owned()))
    }
}

fn invalid(error: BusError) -> Error {
    Error::new(Status::InvalidArg, error.to_string())
}

impl TypeName for Payload {
    fn type_name() -> &'static str {
        "string | Uint8Array"
    }
    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ValidateNapiValue for Payload {}

impl FromNapiValue for Payload {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        let mut kind = 0;
        check(unsafe { sys::napi_typeof(env, value, &mut kind) }, "payload: typeof failed")?;
        if kind == sys::ValueType::napi_string {
            return unsafe { String::from_napi_value(env, value) }.map(Payload::Text);
        }
        let mut is_array = false;
        if kind == sys::ValueType::napi_object {
            check(
                unsafe { sys::napi_is_typedarray(env, value, &mut is_array) },
                "payload: check failed",
            )?;
        }
        if !is_array || !unsafe { is_uint8(env, value) }? {
            return Err(Error::new(
                Status::InvalidArg,
                "payload: must be a string or a Uint8Array".to_owned(),
            ));
        }
        let mut raw = ptr::null_mut();
        check(
            unsafe { sys::napi_create_reference(env, value, 1, &mut raw) },
            "payload: reference failed",
        )?;
        Ok(Payload::Bytes(BufRef { env, raw }))
    }
}

unsafe fn is_uint8(env: sys::napi_env, value: sys::napi_value) -> Result<bool> {
    let mut kind = 0;
    let mut length = 0;
    let mut data = ptr::null_mut();
    let mut buffer = ptr::null_mut();
    let mut offset = 0;
    check(
        unsafe { sys::napi_get_typedarray_info(env, value, &mut kind, &mut length, &mut data, &mut buffer, &mut offset) },
        "payload: typed array info failed",
    )?;
    Ok(kind == sys::TypedarrayType::uint8_array)
}

unsafe fn payload_value(env: sys::napi_env, payload: &Payload) -> Result<sys::napi_value> {
    match payload {
        Payload::Text(text) => unsafe { <&str as ToNapiValue>::to_napi_value(env, text.as_str()) },
        Payload::Bytes(buf) => {
            let mut out = ptr::null_mut();
            check(
                unsafe { sys::napi_get_reference_value(env, buf.raw, &mut out) },
                "payload: dereference failed",
            )?;
            Ok(out)
        }
    }
}

/// A value already built through N-API, handed back as is.
pub struct Raw(sys::napi_value);

impl ToNapiValue for Raw {
    unsafe fn to_napi_value(_env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
        Ok(val.0)
    }
}

unsafe fn set(env: sys::napi_env, object: sys::napi_value, key: &CStr, value: sys::napi_value) -> Result<()> {
    check(
        unsafe { sys::napi_set_named_property(env, object, key.as_ptr(), value) },
        "set property failed",
    )
}

unsafe fn number(env: sys::napi_env, n: f64) -> Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    check(unsafe { sys::napi_create_double(env, n, &mut out) }, "create number failed")?;
    Ok(out)
}

unsafe fn boolean(env: sys::napi_env, b: bool) -> Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    check(unsafe { sys::napi_get_boolean(env, b, &mut out) }, "create boolean failed")?;
    Ok(out)
}

/// A read as columns: `{ numbers, topics, payloads, resyncRequired, next }`, where `numbers` holds
/// `seq, ts, priority, topic index` per event. Typed arrays and one array of payloads cost a few
/// N-API calls per event where objects cost six; `core/native/ringbus.ts` builds the objects.
unsafe fn read_value(env: sys::napi_env, out: ReadOut<'_, Payload>) -> Result<Raw> {
    unsafe {
        let mut numbers = Vec::with_capacity(out.events.len() * 4);
        let mut topics: Vec<&str> = Vec::new();
        let mut topic_index: HashMap<*const u8, usize> = HashMap::new();
        let mut payloads = ptr::null_mut();
        check(
            sys::napi_create_array_with_length(env, out.events.len(), &mut payloads),
            "create array failed",
        )?;
        for (i, (topic, entry)) in out.events.iter().enumerate() {
            // Topics repeat: each is sent once, events point at it.
            // The bus lends each topic's one String, so its address names it.
            let index = *topic_index.entry(topic.as_ptr()).or_insert_with(|| {
                topics.push(topic);
                topics.len() - 1
            });
            numbers.extend_from_slice(&[entry.seq as f64, entry.ts, f64::from(entry.priority), index as f64]);
            check(
                sys::napi_set_element(env, payloads, i as u32, payload_value(env, &entry.payload)?),
                "set element failed",
            )?;
        }
        let mut result = ptr::null_mut();
        check(sys::napi_create_object(env, &mut result), "create object failed")?;
        set(
            env,
            result,
            c"numbers",
            Float64Array::to_napi_value(env, Float64Array::new(numbers))?,
        )?;
        set(env, result, c"topics", Vec::<&str>::to_napi_value(env, topics)?)?;
        set(env, result, c"payloads", payloads)?;
        set(env, result, c"resyncRequired", boolean(env, out.resync_required)?)?;
        set(env, result, c"next", number(env, out.next as f64)?)?;
        Ok(Raw(result))
    }
}

/// Cut `joined` into pieces of the given UTF-16 lengths; None if they do not add up exactly.
fn split_utf16<'a>(joined: &'a str, lengths: &[u32]) -> Option<Vec<&'a str>> {
    let total: u64 = lengths.iter().map(|&l| u64::from(l)).sum();
    let mut pieces = Vec::with_capacity(lengths.len());
    if total == joined.len() as u64 && joined.is_ascii() {
        // All ASCII: a unit is a byte.
        let mut at = 0;
        for &len in lengths {
            pieces.push(&joined[at..at + len as usize]);
            at += len as usize;
        }
        return Some(pieces);
    }
    let mut chars = joined.char_indices().peekable();
    for &len in lengths {
        let start = chars.peek().map_or(joined.len(), |&(i, _)| i);
        let mut units = 0;
        while units < len as usize {
            let (_, ch) = chars.next()?;
            units += ch.len_utf16();
        }
        if units != len as usize {
            return None;
        }
        let end = chars.peek().map_or(joined.len(), |&(i, _)| i);
        pieces.push(&joined[start..end]);
    }
    chars.next().is_none().then_some(pieces)
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
