//! Moving values across N-API by hand where napi-rs's conversions would copy: payloads (strings
//! copied, Uint8Arrays held by reference) and reads built as columns.

use std::collections::HashMap;
use std::ffi::CStr;
use std::ptr;

use napi::bindgen_prelude::*;
use napi::sys;

use crate::bus::ReadOut;

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

pub fn check(status: sys::napi_status, what: &str) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Error::new(Status::from(status), what.to_owned()))
    }
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
pub struct Raw(pub sys::napi_value);

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
pub unsafe fn read_value(env: sys::napi_env, out: ReadOut<'_, Payload>) -> Result<Raw> {
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
