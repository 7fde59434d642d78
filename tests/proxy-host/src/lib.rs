//! A small proxy-wasm host (ABI 0.2.1) on wasmtime, for testing filters outside Envoy.
//!
//! It drives a plugin the way Envoy's wasm filter does: instantiate, `_initialize`,
//! `proxy_on_context_create(root, 0)`, `proxy_on_vm_start`, `proxy_on_configure`; then
//! per request `proxy_on_context_create(ctx, root)`, `proxy_on_request_headers`,
//! `proxy_on_done`, `proxy_on_log`, `proxy_on_delete`.
//!
//! Host calls follow the ABI 0.2.1 spec (github.com/proxy-wasm/spec, abi-versions/v0.2.1):
//! every argument is an i32 (wasm32) except 64-bit metric values; results are a
//! `WasmResult` status; returned buffers are allocated in the guest with its exported
//! `malloc` (or `proxy_on_memory_allocate`) and handed over by pointer and size.
//! Host calls this host does not implement answer `Unimplemented` (12) — never a trap —
//! and are recorded in [`State::unimplemented`].

use std::collections::BTreeSet;

use wasmtime::{Caller, Engine, Extern, Instance, Linker, Memory, Module, Store, Val, ValType};

pub use wasmtime::{Error, Result};

/// `WasmResult` codes of ABI 0.2.1.
pub mod status {
    pub const OK: i32 = 0;
    pub const NOT_FOUND: i32 = 1;
    pub const BAD_ARGUMENT: i32 = 2;
    pub const INVALID_MEMORY_ACCESS: i32 = 6;
    pub const INTERNAL_FAILURE: i32 = 10;
    pub const UNIMPLEMENTED: i32 = 12;
}

/// `proxy_action_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Continue,
    Pause,
    Other(i32),
}

/// `proxy_log_level_t`: trace 0 … critical 5.
pub mod level {
    pub const TRACE: u32 = 0;
    pub const DEBUG: u32 = 1;
    pub const INFO: u32 = 2;
    pub const WARN: u32 = 3;
    pub const ERROR: u32 = 4;
    pub const CRITICAL: u32 = 5;
}

/// Header / metadata map types (`proxy_map_type_t`).
const MAP_REQUEST_HEADERS: i32 = 0;
const MAP_REQUEST_TRAILERS: i32 = 1;
const MAP_RESPONSE_HEADERS: i32 = 2;
const MAP_RESPONSE_TRAILERS: i32 = 3;
/// Buffer types (`proxy_buffer_type_t`).
const BUFFER_VM_CONFIGURATION: i32 = 6;
const BUFFER_PLUGIN_CONFIGURATION: i32 = 7;

pub type Headers = Vec<(String, Vec<u8>)>;

/// A response the plugin sent with `proxy_send_local_response`.
#[derive(Debug, Clone, PartialEq)]
pub struct LocalResponse {
    pub status: u32,
    pub details: Vec<u8>,
    pub body: Vec<u8>,
    pub headers: Headers,
    pub grpc_status: i32,
}

impl LocalResponse {
    /// The first value of header `name`, as text.
    pub fn header(&self, name: &str) -> Option<String> {
        header(&self.headers, name)
    }
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The first value of header `name` (case-insensitive) in `headers`, as text.
pub fn header(headers: &Headers, name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
}

/// Everything the host keeps between calls.
#[derive(Debug, Default)]
pub struct State {
    /// `(level, message)` of every `proxy_log`.
    pub logs: Vec<(u32, String)>,
    /// What `proxy_get_log_level` answers.
    pub log_level: u32,
    /// What `proxy_get_current_time_nanoseconds` answers.
    pub now_ns: u64,
    pub vm_configuration: Vec<u8>,
    pub plugin_configuration: Vec<u8>,
    pub request_headers: Headers,
    pub request_trailers: Headers,
    pub response_headers: Headers,
    pub response_trailers: Headers,
    /// Set by `proxy_send_local_response` during the current request.
    pub local_response: Option<LocalResponse>,
    /// Last `proxy_set_effective_context`.
    pub effective_context: u32,
    /// Names of host calls the plugin made that this host does not implement.
    pub unimplemented: BTreeSet<String>,
    /// Number of host calls made (all kinds).
    pub host_calls: u64,
    /// Metrics the plugin defined: `(name, type, value)`, the id is the index. As in
    /// Envoy, defining a name again gives a new id for the same metric.
    pub metrics: Vec<(String, i32, u64)>,
}

impl State {
    /// The value of metric `name` (0 if never defined); every id of a name shares its first slot.
    pub fn metric(&self, name: &str) -> u64 {
        let first = self.metrics.iter().position(|(n, _, _)| n == name);
        first.map_or(0, |i| self.metrics[i].2)
    }

    /// Every metric name the plugin defined, once each.
    pub fn metric_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.metrics.iter().map(|(n, _, _)| n.clone()).collect();
        names.sort();
        names.dedup();
        names
    }

    fn metric_slot(&mut self, id: i32) -> Option<&mut u64> {
        let name = self.metrics.get(id as u32 as usize)?.0.clone();
        let first = self.metrics.iter().position(|(n, _, _)| *n == name)?;
        Some(&mut self.metrics[first].2)
    }
}

impl State {
    fn map(&mut self, map_type: i32) -> Option<&mut Headers> {
        match map_type {
            MAP_REQUEST_HEADERS => Some(&mut self.request_headers),
            MAP_REQUEST_TRAILERS => Some(&mut self.request_trailers),
            MAP_RESPONSE_HEADERS => Some(&mut self.response_headers),
            MAP_RESPONSE_TRAILERS => Some(&mut self.response_trailers),
            _ => None,
        }
    }
}

/// Serializes a map as ABI 0.2.1 does: count, then (name size, value size) pairs, then
/// each name and value followed by a NUL byte; all integers u32 little-endian.
pub fn serialize_map(map: &Headers) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        4 + map
            .iter()
            .map(|(n, v)| 10 + n.len() + v.len())
            .sum::<usize>(),
    );
    out.extend_from_slice(&(map.len() as u32).to_le_bytes());
    for (n, v) in map {
        out.extend_from_slice(&(n.len() as u32).to_le_bytes());
        out.extend_from_slice(&(v.len() as u32).to_le_bytes());
    }
    for (n, v) in map {
        out.extend_from_slice(n.as_bytes());
        out.push(0);
        out.extend_from_slice(v);
        out.push(0);
    }
    out
}

/// The inverse of [`serialize_map`]; `None` for malformed input.
pub fn deserialize_map(bytes: &[u8]) -> Option<Headers> {
    if bytes.is_empty() {
        return Some(Vec::new());
    }
    let u32_at = |at: usize| -> Option<usize> {
        Some(u32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?) as usize)
    };
    let count = u32_at(0)?;
    let mut p = 4usize.checked_add(count.checked_mul(8)?)?;
    if p > bytes.len() {
        return None;
    }
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let ns = u32_at(4 + i * 8)?;
        let vs = u32_at(8 + i * 8)?;
        let name = bytes.get(p..p.checked_add(ns)?)?;
        p = p.checked_add(ns + 1)?;
        let value = bytes.get(p..p.checked_add(vs)?)?;
        p = p.checked_add(vs + 1)?;
        out.push((String::from_utf8(name.to_vec()).ok()?, value.to_vec()));
    }
    Some(out)
}

// ---- guest memory helpers (never panic: a bad pointer is INVALID_MEMORY_ACCESS) ----

fn memory(caller: &mut Caller<'_, State>) -> Option<Memory> {
    match caller.get_export("memory") {
        Some(Extern::Memory(m)) => Some(m),
        _ => None,
    }
}

fn read(caller: &mut Caller<'_, State>, ptr: i32, len: i32) -> Option<Vec<u8>> {
    let mem = memory(caller)?;
    let (ptr, len) = (ptr as u32 as usize, len as u32 as usize);
    mem.data(&caller)
        .get(ptr..ptr.checked_add(len)?)
        .map(<[u8]>::to_vec)
}

fn write(caller: &mut Caller<'_, State>, ptr: i32, bytes: &[u8]) -> bool {
    let Some(mem) = memory(caller) else {
        return false;
    };
    let ptr = ptr as u32 as usize;
    match ptr
        .checked_add(bytes.len())
        .and_then(|end| mem.data_mut(&mut *caller).get_mut(ptr..end))
    {
        Some(dst) => {
            dst.copy_from_slice(bytes);
            true
        }
        None => false,
    }
}

fn write_u32(caller: &mut Caller<'_, State>, ptr: i32, v: u32) -> bool {
    write(caller, ptr, &v.to_le_bytes())
}

/// Copies `bytes` into a fresh guest allocation and stores its pointer and size at
/// `ret_ptr` / `ret_size` (the ABI's way of returning a buffer).
fn hand_over(caller: &mut Caller<'_, State>, bytes: &[u8], ret_ptr: i32, ret_size: i32) -> i32 {
    let alloc =
        ["malloc", "proxy_on_memory_allocate"]
            .iter()
            .find_map(|n| match caller.get_export(n) {
                Some(Extern::Func(f)) => f.typed::<i32, i32>(&caller).ok(),
                _ => None,
            });
    let Some(alloc) = alloc else {
        return status::INTERNAL_FAILURE;
    };
    let ptr = match alloc.call(&mut *caller, bytes.len() as i32) {
        Ok(p) if p != 0 || bytes.is_empty() => p,
        _ => return status::INTERNAL_FAILURE,
    };
    if !write(caller, ptr, bytes)
        || !write_u32(caller, ret_ptr, ptr as u32)
        || !write_u32(caller, ret_size, bytes.len() as u32)
    {
        return status::INVALID_MEMORY_ACCESS;
    }
    status::OK
}

fn lower(name: Vec<u8>) -> Option<String> {
    String::from_utf8(name).ok().map(|s| s.to_ascii_lowercase())
}

/// A header name (lower-cased) and value from guest memory.
fn name_and_value(
    c: &mut Caller<'_, State>,
    kp: i32,
    ks: i32,
    vp: i32,
    vs: i32,
) -> Option<(String, Vec<u8>)> {
    Some((read(c, kp, ks).and_then(lower)?, read(c, vp, vs)?))
}

fn count(caller: &mut Caller<'_, State>) {
    caller.data_mut().host_calls += 1;
}

/// The host calls [`define_host_calls`] registers.
pub const IMPLEMENTED: [&str; 21] = [
    "proxy_log",
    "proxy_get_log_level",
    "proxy_get_current_time_nanoseconds",
    "proxy_set_effective_context",
    "proxy_done",
    "proxy_get_buffer_bytes",
    "proxy_get_header_map_pairs",
    "proxy_get_header_map_size",
    "proxy_set_header_map_pairs",
    "proxy_get_header_map_value",
    "proxy_replace_header_map_value",
    "proxy_add_header_map_value",
    "proxy_remove_header_map_value",
    "proxy_get_property",
    "proxy_send_local_response",
    "proxy_continue_stream",
    "proxy_set_tick_period_milliseconds",
    "proxy_define_metric",
    "proxy_increment_metric",
    "proxy_record_metric",
    "proxy_get_metric",
];

/// Registers the host calls this host implements.
fn define_host_calls(linker: &mut Linker<State>) -> Result<()> {
    linker.func_wrap(
        "env",
        "proxy_log",
        |mut c: Caller<'_, State>, lvl: i32, ptr: i32, size: i32| -> i32 {
            count(&mut c);
            let Some(msg) = read(&mut c, ptr, size) else {
                return status::INVALID_MEMORY_ACCESS;
            };
            c.data_mut()
                .logs
                .push((lvl as u32, String::from_utf8_lossy(&msg).into_owned()));
            status::OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_log_level",
        |mut c: Caller<'_, State>, ret: i32| -> i32 {
            count(&mut c);
            let lvl = c.data().log_level;
            if write_u32(&mut c, ret, lvl) {
                status::OK
            } else {
                status::INVALID_MEMORY_ACCESS
            }
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_current_time_nanoseconds",
        |mut c: Caller<'_, State>, ret: i32| -> i32 {
            count(&mut c);
            let now = c.data().now_ns;
            if write(&mut c, ret, &now.to_le_bytes()) {
                status::OK
            } else {
                status::INVALID_MEMORY_ACCESS
            }
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_effective_context",
        |mut c: Caller<'_, State>, id: i32| -> i32 {
            count(&mut c);
            c.data_mut().effective_context = id as u32;
            status::OK
        },
    )?;
    linker.func_wrap("env", "proxy_done", |mut c: Caller<'_, State>| -> i32 {
        count(&mut c);
        status::OK
    })?;
    linker.func_wrap(
        "env",
        "proxy_get_buffer_bytes",
        |mut c: Caller<'_, State>,
         buffer: i32,
         start: i32,
         max: i32,
         ret_ptr: i32,
         ret_size: i32|
         -> i32 {
            count(&mut c);
            let data = match buffer {
                BUFFER_VM_CONFIGURATION => c.data().vm_configuration.clone(),
                BUFFER_PLUGIN_CONFIGURATION => c.data().plugin_configuration.clone(),
                _ => return status::NOT_FOUND,
            };
            let (start, max) = (start as u32 as usize, max as u32 as usize);
            if start > data.len() {
                return status::BAD_ARGUMENT;
            }
            let end = start.saturating_add(max).min(data.len());
            if start == end {
                return status::NOT_FOUND;
            }
            hand_over(&mut c, &data[start..end], ret_ptr, ret_size)
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_header_map_pairs",
        |mut c: Caller<'_, State>, map: i32, ret_ptr: i32, ret_size: i32| -> i32 {
            count(&mut c);
            let Some(m) = c.data_mut().map(map) else {
                return status::BAD_ARGUMENT;
            };
            let bytes = serialize_map(m);
            hand_over(&mut c, &bytes, ret_ptr, ret_size)
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_header_map_size",
        |mut c: Caller<'_, State>, map: i32, ret_size: i32| -> i32 {
            count(&mut c);
            let Some(m) = c.data_mut().map(map) else {
                return status::BAD_ARGUMENT;
            };
            let n = serialize_map(m).len() as u32;
            if write_u32(&mut c, ret_size, n) {
                status::OK
            } else {
                status::INVALID_MEMORY_ACCESS
            }
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_header_map_pairs",
        |mut c: Caller<'_, State>, map: i32, ptr: i32, size: i32| -> i32 {
            count(&mut c);
            let Some(bytes) = read(&mut c, ptr, size) else {
                return status::INVALID_MEMORY_ACCESS;
            };
            let Some(new) = deserialize_map(&bytes) else {
                return status::BAD_ARGUMENT;
            };
            let Some(m) = c.data_mut().map(map) else {
                return status::BAD_ARGUMENT;
            };
            *m = new
                .into_iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v))
                .collect();
            status::OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_header_map_value",
        |mut c: Caller<'_, State>,
         map: i32,
         kp: i32,
         ks: i32,
         ret_ptr: i32,
         ret_size: i32|
         -> i32 {
            count(&mut c);
            let Some(key) = read(&mut c, kp, ks).and_then(lower) else {
                return status::INVALID_MEMORY_ACCESS;
            };
            let Some(m) = c.data_mut().map(map) else {
                return status::BAD_ARGUMENT;
            };
            // Envoy answers the first value of a repeated header.
            let Some(value) = m.iter().find(|(n, _)| *n == key).map(|(_, v)| v.clone()) else {
                return status::NOT_FOUND;
            };
            hand_over(&mut c, &value, ret_ptr, ret_size)
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_replace_header_map_value",
        |mut c: Caller<'_, State>, map: i32, kp: i32, ks: i32, vp: i32, vs: i32| -> i32 {
            count(&mut c);
            let Some((key, value)) = name_and_value(&mut c, kp, ks, vp, vs) else {
                return status::INVALID_MEMORY_ACCESS;
            };
            let Some(m) = c.data_mut().map(map) else {
                return status::BAD_ARGUMENT;
            };
            // Envoy's setCopy: every existing value goes, one new entry stays.
            match m.iter().position(|(n, _)| *n == key) {
                Some(first) => {
                    m[first].1 = value;
                    let mut i = 0;
                    m.retain(|(n, _)| {
                        i += 1;
                        i - 1 == first || *n != key
                    });
                }
                None => m.push((key, value)),
            }
            status::OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_add_header_map_value",
        |mut c: Caller<'_, State>, map: i32, kp: i32, ks: i32, vp: i32, vs: i32| -> i32 {
            count(&mut c);
            let Some((key, value)) = name_and_value(&mut c, kp, ks, vp, vs) else {
                return status::INVALID_MEMORY_ACCESS;
            };
            let Some(m) = c.data_mut().map(map) else {
                return status::BAD_ARGUMENT;
            };
            m.push((key, value));
            status::OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_remove_header_map_value",
        |mut c: Caller<'_, State>, map: i32, kp: i32, ks: i32| -> i32 {
            count(&mut c);
            let Some(key) = read(&mut c, kp, ks).and_then(lower) else {
                return status::INVALID_MEMORY_ACCESS;
            };
            let Some(m) = c.data_mut().map(map) else {
                return status::BAD_ARGUMENT;
            };
            m.retain(|(n, _)| *n != key);
            status::OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_property",
        |mut c: Caller<'_, State>, _pp: i32, _ps: i32, _rp: i32, _rs: i32| -> i32 {
            count(&mut c);
            status::NOT_FOUND
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_send_local_response",
        |mut c: Caller<'_, State>,
         code: i32,
         dp: i32,
         ds: i32,
         bp: i32,
         bs: i32,
         hp: i32,
         hs: i32,
         grpc: i32|
         -> i32 {
            count(&mut c);
            let (Some(details), Some(body), Some(headers)) = (
                read(&mut c, dp, ds),
                read(&mut c, bp, bs),
                read(&mut c, hp, hs),
            ) else {
                return status::INVALID_MEMORY_ACCESS;
            };
            let Some(headers) = deserialize_map(&headers) else {
                return status::BAD_ARGUMENT;
            };
            c.data_mut().local_response = Some(LocalResponse {
                status: code as u32,
                details,
                body,
                headers,
                grpc_status: grpc,
            });
            status::OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_set_tick_period_milliseconds",
        |mut c: Caller<'_, State>, _ms: i32| -> i32 {
            count(&mut c);
            status::OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_define_metric",
        |mut c: Caller<'_, State>, kind: i32, np: i32, ns: i32, ret: i32| -> i32 {
            count(&mut c);
            if !(0..=2).contains(&kind) {
                return status::BAD_ARGUMENT;
            }
            let Some(name) = read(&mut c, np, ns).and_then(|n| String::from_utf8(n).ok()) else {
                return status::INVALID_MEMORY_ACCESS;
            };
            let id = c.data().metrics.len() as u32;
            if !write_u32(&mut c, ret, id) {
                return status::INVALID_MEMORY_ACCESS;
            }
            c.data_mut().metrics.push((name, kind, 0));
            status::OK
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_increment_metric",
        |mut c: Caller<'_, State>, id: i32, offset: i64| -> i32 {
            count(&mut c);
            match c.data_mut().metric_slot(id) {
                Some(v) => {
                    *v = v.saturating_add_signed(offset);
                    status::OK
                }
                None => status::NOT_FOUND,
            }
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_record_metric",
        |mut c: Caller<'_, State>, id: i32, value: i64| -> i32 {
            count(&mut c);
            match c.data_mut().metric_slot(id) {
                Some(v) => {
                    *v = value as u64;
                    status::OK
                }
                None => status::NOT_FOUND,
            }
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_get_metric",
        |mut c: Caller<'_, State>, id: i32, ret: i32| -> i32 {
            count(&mut c);
            let Some(v) = c.data_mut().metric_slot(id).map(|v| *v) else {
                return status::NOT_FOUND;
            };
            if write(&mut c, ret, &v.to_le_bytes()) {
                status::OK
            } else {
                status::INVALID_MEMORY_ACCESS
            }
        },
    )?;
    linker.func_wrap(
        "env",
        "proxy_continue_stream",
        |mut c: Caller<'_, State>, _t: i32| -> i32 {
            count(&mut c);
            status::OK
        },
    )?;
    Ok(())
}

/// The outcome of one request through the filter.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// What `proxy_on_request_headers` returned.
    pub action: Action,
    /// The local reply, if the plugin sent one (the request then never reaches upstream).
    pub local_response: Option<LocalResponse>,
    /// The request headers after the plugin ran (what the upstream would see).
    pub request_headers: Headers,
}

impl Exchange {
    /// Forwarded upstream: `Continue` and no local reply.
    pub fn forwarded(&self) -> bool {
        self.action == Action::Continue && self.local_response.is_none()
    }
    /// First value of request header `name` as the upstream would see it.
    pub fn upstream_header(&self, name: &str) -> Option<String> {
        header(&self.request_headers, name)
    }
}

/// One plugin instance (one VM, one root context), as one Envoy worker holds it.
pub struct Host {
    store: Store<State>,
    instance: Instance,
    root_id: i32,
    next_id: i32,
    /// What `proxy_on_configure` returned.
    pub configured: bool,
}

impl Host {
    /// Compiles `wasm` once per call; for many hosts reuse an [`Engine`] and [`Module`] via [`Host::with_module`].
    pub fn new(wasm: &[u8], plugin_configuration: &[u8]) -> Result<Host> {
        let engine = Engine::default();
        let module = Module::new(&engine, wasm)?;
        Host::with_module(&engine, &module, plugin_configuration)
    }

    /// Instantiates and starts the plugin the way Envoy does, up to `proxy_on_configure`.
    pub fn with_module(
        engine: &Engine,
        module: &Module,
        plugin_configuration: &[u8],
    ) -> Result<Host> {
        if module.get_export("proxy_abi_version_0_2_1").is_none() {
            wasmtime::bail!("the module does not export proxy_abi_version_0_2_1");
        }
        let mut linker = Linker::new(engine);
        define_host_calls(&mut linker)?;
        // Everything else the module imports answers Unimplemented (or zero), never traps.
        for import in module.imports() {
            let (m, n) = (import.module().to_owned(), import.name().to_owned());
            if m == "env" && IMPLEMENTED.contains(&n.as_str()) {
                continue;
            }
            let wasmtime::ExternType::Func(ty) = import.ty() else {
                wasmtime::bail!("unsupported non-function import {m}.{n}");
            };
            let name = format!("{m}.{n}");
            linker.func_new(&m, &n, ty.clone(), move |mut c, _params, results| {
                c.data_mut().unimplemented.insert(name.clone());
                for (r, t) in results.iter_mut().zip(ty.results()) {
                    *r = match t {
                        ValType::I32 => Val::I32(status::UNIMPLEMENTED),
                        ValType::I64 => Val::I64(0),
                        ValType::F32 => Val::F32(0),
                        ValType::F64 => Val::F64(0),
                        _ => Val::I32(0),
                    };
                }
                Ok(())
            })?;
        }
        let state = State {
            log_level: level::INFO,
            plugin_configuration: plugin_configuration.to_vec(),
            now_ns: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64),
            ..State::default()
        };
        let mut store = Store::new(engine, state);
        let instance = linker.instantiate(&mut store, module)?;
        // Reactor modules export `_initialize`; command modules `_start` (Envoy runs one of them).
        if let Some(f) = ["_initialize", "_start"]
            .iter()
            .find_map(|n| instance.get_typed_func::<(), ()>(&mut store, n).ok())
        {
            f.call(&mut store, ())?;
        }
        let mut host = Host {
            store,
            instance,
            root_id: 1,
            next_id: 2,
            configured: false,
        };
        host.call::<(i32, i32), ()>("proxy_on_context_create", (host.root_id, 0))?;
        let vm_size = host.store.data().vm_configuration.len() as i32;
        let started = host.call::<(i32, i32), i32>("proxy_on_vm_start", (host.root_id, vm_size))?;
        if started == 0 {
            wasmtime::bail!("proxy_on_vm_start returned false");
        }
        let size = host.store.data().plugin_configuration.len() as i32;
        host.configured =
            host.call::<(i32, i32), i32>("proxy_on_configure", (host.root_id, size))? != 0;
        Ok(host)
    }

    fn call<P: wasmtime::WasmParams, R: wasmtime::WasmResults>(
        &mut self,
        name: &str,
        params: P,
    ) -> Result<R> {
        let f = self
            .instance
            .get_typed_func::<P, R>(&mut self.store, name)?;
        f.call(&mut self.store, params)
    }

    /// Sends the plugin a new configuration (`proxy_on_configure` again), as a config update does.
    pub fn reconfigure(&mut self, plugin_configuration: &[u8]) -> Result<bool> {
        self.store.data_mut().plugin_configuration = plugin_configuration.to_vec();
        let size = plugin_configuration.len() as i32;
        self.configured =
            self.call::<(i32, i32), i32>("proxy_on_configure", (self.root_id, size))? != 0;
        Ok(self.configured)
    }

    /// One request with these headers (`(name, value)`; `:path` etc. included), through
    /// `proxy_on_request_headers` with end_of_stream = true, then done / log / delete.
    pub fn request(&mut self, headers: &[(&str, &[u8])]) -> Result<Exchange> {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(2);
        {
            let s = self.store.data_mut();
            s.request_headers = headers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.to_vec()))
                .collect();
            s.local_response = None;
        }
        self.call::<(i32, i32), ()>("proxy_on_context_create", (id, self.root_id))?;
        let n = headers.len() as i32;
        let action =
            match self.call::<(i32, i32, i32), i32>("proxy_on_request_headers", (id, n, 1))? {
                0 => Action::Continue,
                1 => Action::Pause,
                x => Action::Other(x),
            };
        let exchange = Exchange {
            action,
            local_response: self.store.data_mut().local_response.take(),
            request_headers: self.store.data().request_headers.clone(),
        };
        // Envoy: onDone until it returns true, then onLog and onDelete.
        let _done = self.call::<i32, i32>("proxy_on_done", id)?;
        self.call::<i32, ()>("proxy_on_log", id)?;
        self.call::<i32, ()>("proxy_on_delete", id)?;
        Ok(exchange)
    }

    /// Shorthand: headers given as text.
    pub fn request_text(&mut self, headers: &[(&str, &str)]) -> Result<Exchange> {
        let h: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
        self.request(&h)
    }

    /// Linear memory size in bytes.
    pub fn memory_bytes(&mut self) -> usize {
        match self.instance.get_memory(&mut self.store, "memory") {
            Some(m) => m.data_size(&self.store),
            None => 0,
        }
    }

    pub fn state(&self) -> &State {
        self.store.data()
    }
    pub fn state_mut(&mut self) -> &mut State {
        self.store.data_mut()
    }
    /// Sets the host clock (seconds since the epoch).
    pub fn set_now(&mut self, seconds: f64) {
        self.store.data_mut().now_ns = (seconds * 1e9) as u64;
    }
    pub fn set_log_level(&mut self, lvl: u32) {
        self.store.data_mut().log_level = lvl;
    }
}
