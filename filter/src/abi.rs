//! The few proxy-wasm ABI 0.2.1 host calls the filter makes itself instead of through
//! the SDK's wrappers (proxy-wasm 0.2.5 `hostcalls`), because those wrappers panic —
//! trap, in wasm — on inputs a real host produces: a header name that is not UTF-8
//! (`get_map_bytes` unwraps `String::from_utf8`), a host without metrics (`define_metric`
//! panics on `Unimplemented`); and because `send_http_response` sends no response code
//! details. Every function here returns the host's status instead of panicking.

use alloc::vec::Vec;
use core::ptr::{null, null_mut};

use crate::headers::{parse_pairs, serialize, Pairs};

/// `proxy_map_type_t::HttpRequestHeaders`.
pub const REQUEST_HEADERS: u32 = 0;
/// `proxy_map_type_t::HttpCallResponseHeaders`: the answer to a `proxy_dispatch_http_call`.
pub const CALL_RESPONSE_HEADERS: u32 = 6;
/// `proxy_metric_type_t::Counter`.
const COUNTER: u32 = 0;
/// `proxy_metric_type_t::Gauge`.
const GAUGE: u32 = 1;
/// `proxy_result_t::Ok`.
const OK: u32 = 0;

#[link(wasm_import_module = "env")]
extern "C" {
    fn proxy_get_header_map_pairs(map: u32, data: *mut *mut u8, size: *mut usize) -> u32;
    fn proxy_replace_header_map_value(
        map: u32,
        key: *const u8,
        key_size: usize,
        value: *const u8,
        value_size: usize,
    ) -> u32;
    fn proxy_remove_header_map_value(map: u32, key: *const u8, key_size: usize) -> u32;
    #[allow(clippy::too_many_arguments)]
    fn proxy_send_local_response(
        status: u32,
        details: *const u8,
        details_size: usize,
        body: *const u8,
        body_size: usize,
        headers: *const u8,
        headers_size: usize,
        grpc_status: i32,
    ) -> u32;
    fn proxy_define_metric(kind: u32, name: *const u8, name_size: usize, id: *mut u32) -> u32;
    fn proxy_increment_metric(id: u32, offset: i64) -> u32;
    fn proxy_record_metric(id: u32, value: u64) -> u32;
}

/// The request headers; `None` if the host failed or sent a malformed map.
pub fn request_headers() -> Option<Pairs> {
    header_map(REQUEST_HEADERS)
}

/// A header map of the host (`REQUEST_HEADERS`, `CALL_RESPONSE_HEADERS`), as bytes.
pub fn header_map(map: u32) -> Option<Pairs> {
    let mut data: *mut u8 = null_mut();
    let mut size: usize = 0;
    // SAFETY: the host writes a pointer to `size` bytes it allocated with this module's
    // `proxy_on_memory_allocate` (a Vec<u8> of that capacity, as the SDK allocates), or null.
    let buf = unsafe {
        if proxy_get_header_map_pairs(map, &mut data, &mut size) != OK {
            return None;
        }
        if data.is_null() {
            Vec::new()
        } else {
            Vec::from_raw_parts(data, size, size)
        }
    };
    parse_pairs(buf)
}

/// Sets request header `name` to `value`, replacing every copy.
pub fn set_request_header(name: &[u8], value: &[u8]) -> bool {
    // SAFETY: pointers and sizes of live slices.
    unsafe {
        proxy_replace_header_map_value(
            REQUEST_HEADERS,
            name.as_ptr(),
            name.len(),
            value.as_ptr(),
            value.len(),
        ) == OK
    }
}

/// Removes every copy of request header `name`.
pub fn remove_request_header(name: &[u8]) -> bool {
    // SAFETY: pointer and size of a live slice.
    unsafe { proxy_remove_header_map_value(REQUEST_HEADERS, name.as_ptr(), name.len()) == OK }
}

/// A local reply with response code details (`%RESPONSE_CODE_DETAILS%` in Envoy's access log).
pub fn send_local_response(
    status: u32,
    details: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> bool {
    let h = serialize(headers);
    // SAFETY: pointers and sizes of live buffers; -1 = not a gRPC reply.
    unsafe {
        proxy_send_local_response(
            status,
            if details.is_empty() {
                null()
            } else {
                details.as_ptr()
            },
            details.len(),
            if body.is_empty() {
                null()
            } else {
                body.as_ptr()
            },
            body.len(),
            h.as_ptr(),
            h.len(),
            -1,
        ) == OK
    }
}

/// Defines counter `name`; `None` if the host has no metrics.
pub fn define_counter(name: &str) -> Option<u32> {
    let mut id = 0u32;
    // SAFETY: pointer and size of a live str; `id` is a valid out-pointer.
    let ok = unsafe { proxy_define_metric(COUNTER, name.as_ptr(), name.len(), &mut id) == OK };
    ok.then_some(id)
}

/// Defines gauge `name`; `None` if the host has no metrics.
pub fn define_gauge(name: &str) -> Option<u32> {
    let mut id = 0u32;
    // SAFETY: pointer and size of a live str; `id` is a valid out-pointer.
    let ok = unsafe { proxy_define_metric(GAUGE, name.as_ptr(), name.len(), &mut id) == OK };
    ok.then_some(id)
}

/// Sets gauge `id` to `value`.
pub fn record(id: u32, value: u64) {
    // SAFETY: plain values.
    let _ = unsafe { proxy_record_metric(id, value) };
}

/// Adds `n` to counter `id`.
pub fn increment(id: u32, n: i64) {
    // SAFETY: plain values.
    let _ = unsafe { proxy_increment_metric(id, n) };
}
