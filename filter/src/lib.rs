//! A proxy-wasm (ABI 0.2.1) HTTP filter that authenticates djangorestframework-sso JWTs
//! with the verdicts of the Django server, using the `drf-sso-jwt` core.
//!
//! [`config`], [`policy`], [`decide`], [`feed`], [`converted`], [`headers`], [`observe`] and [`pbstruct`] hold all
//! the logic and build natively; the proxy-wasm glue below exists only for `wasm32`
//! targets. The glue never panics on host input: header maps are read as bytes, and the
//! host calls whose SDK wrappers panic on a legitimate host answer go through [`abi`].
extern crate alloc;

pub mod config;
pub mod converted;
pub mod decide;
pub mod feed;
pub mod feed_config;
pub mod headers;
pub mod observe;
pub mod pbstruct;
pub mod policy;

#[cfg(target_arch = "wasm32")]
mod abi;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use alloc::boxed::Box;
    use alloc::format;
    use alloc::rc::Rc;
    use alloc::string::String;
    use alloc::vec::Vec;
    use core::cell::RefCell;

    use proxy_wasm::hostcalls;
    use proxy_wasm::traits::{Context, HttpContext, RootContext};
    use proxy_wasm::types::{Action, BufferType, ContextType, LogLevel};
    use std::time::{Duration, UNIX_EPOCH};

    use crate::abi;
    use crate::config::{Config, DEFAULT_STAT_PREFIX};
    use crate::decide::{decide, details, Credentials, Decision, Request};
    use crate::feed::{self, Outcome, Schedule};
    use crate::feed_config::Kind;
    use crate::observe::{
        counter_name, denial_codes, denial_name, sanitize, WarnLimiter, COUNTERS,
    };

    proxy_wasm::main! {{
        proxy_wasm::set_log_level(LogLevel::Info);
        proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> {
            Box::new(Root { config: None, metrics: None, schedule: Schedule::default(), taken: [None, None] })
        });
    }}

    fn log(level: LogLevel, message: &str) {
        let _ = hostcalls::log(level, message);
    }

    /// The host's log level allows `level`.
    fn enabled(level: LogLevel) -> bool {
        hostcalls::get_log_level().map_or(true, |l| l as u32 <= level as u32)
    }

    fn now() -> f64 {
        match hostcalls::get_current_time().map(|t| t.duration_since(UNIX_EPOCH)) {
            Ok(Ok(d)) => d.as_secs_f64(),
            _ => 0.0,
        }
    }

    thread_local! {
        /// One VM is one worker thread: the rate limit of warn lines is per VM.
        static WARN: RefCell<WarnLimiter> = RefCell::new(WarnLimiter::default());
    }

    /// Counter ids, defined once per configuration (`None`: the host has no metrics).
    struct Metrics {
        prefix: String,
        /// Same order as [`COUNTERS`].
        ids: Vec<Option<u32>>,
        denials: RefCell<Vec<(&'static str, Option<u32>)>>,
        /// `<prefix>.feed.<kind>_<outcome>` counters, defined on first use.
        feed: RefCell<Vec<(String, Option<u32>)>>,
        /// `<prefix>.feed.<gauge>`, same order as [`feed::gauges`]; defined on first use (only
        /// configurations with a feed have them).
        gauges: RefCell<Vec<Option<u32>>>,
    }

    impl Metrics {
        fn define(prefix: &str) -> Metrics {
            Metrics {
                feed: RefCell::new(Vec::new()),
                gauges: RefCell::new(Vec::new()),
                prefix: prefix.into(),
                ids: COUNTERS
                    .iter()
                    .map(|c| abi::define_counter(&counter_name(prefix, c)))
                    .collect(),
                denials: RefCell::new(
                    denial_codes()
                        .map(|c| (c, abi::define_counter(&denial_name(prefix, c))))
                        .collect(),
                ),
            }
        }

        fn add(&self, counter: &str, n: u64) {
            if n == 0 {
                return;
            }
            let i = COUNTERS.iter().position(|c| *c == counter);
            if let Some(Some(id)) = i.and_then(|i| self.ids.get(i)) {
                abi::increment(*id, n as i64);
            }
        }

        fn feed(&self, kind: Kind, outcome: &Outcome) {
            let name = format!("{}.feed.{}_{}", self.prefix, kind.name(), outcome.counter());
            let Ok(mut f) = self.feed.try_borrow_mut() else {
                return;
            };
            let id = match f.iter().find(|(n, _)| *n == name) {
                Some((_, id)) => *id,
                None => {
                    let id = abi::define_counter(&name);
                    f.push((name, id));
                    id
                }
            };
            if let Some(id) = id {
                abi::increment(id, 1);
            }
        }

        fn gauges(&self, values: &[(&'static str, Option<u64>)]) {
            let Ok(mut ids) = self.gauges.try_borrow_mut() else {
                return;
            };
            if ids.is_empty() {
                *ids = values
                    .iter()
                    .map(|(g, _)| abi::define_gauge(&format!("{}.feed.{g}", self.prefix)))
                    .collect();
            }
            for (id, (_, v)) in ids.iter().zip(values) {
                if let (Some(id), Some(v)) = (id, v) {
                    abi::record(*id, *v);
                }
            }
        }

        fn deny(&self, code: &'static str) {
            self.add("denied", 1);
            let Ok(mut d) = self.denials.try_borrow_mut() else {
                return;
            };
            let id = match d.iter().find(|(c, _)| *c == code) {
                Some((_, id)) => *id,
                None => {
                    // A code this build does not list: its counter appears when first used.
                    let id = abi::define_counter(&denial_name(&self.prefix, code));
                    d.push((code, id));
                    id
                }
            };
            if let Some(id) = id {
                abi::increment(id, 1);
            }
        }
    }

    struct Root {
        /// `None` until a configuration parsed (and after a bad one): requests then fail closed.
        config: Option<Rc<Config>>,
        metrics: Option<Rc<Metrics>>,
        /// When each feed document is fetched next, and which call is in flight.
        schedule: Schedule,
        /// The last documents taken (keys, state), applied again to a new configuration.
        taken: [Option<Vec<u8>>; 2],
    }

    impl Root {
        /// Records (and, rate-limited, logs) what a feed document did.
        fn outcome(&mut self, kind: Kind, outcome: &Outcome, doc: Option<&[u8]>, t: f64) {
            if let Some(m) = &self.metrics {
                m.feed(kind, outcome);
            }
            let class = match kind {
                Kind::Keys => "feed_keys",
                Kind::State => "feed_state",
            };
            match outcome {
                Outcome::Updated => {
                    self.taken[kind as usize] = doc.map(<[u8]>::to_vec);
                    log(
                        LogLevel::Info,
                        &format!("drf-sso-jwt: feed: new {} document in force", kind.name()),
                    );
                }
                Outcome::Unchanged => {}
                Outcome::FetchFailed(why) | Outcome::Refused(why) => {
                    if let Some(n) = WARN.with(|w| w.try_borrow_mut().ok()?.allow(class, t)) {
                        log(
                            LogLevel::Warn,
                            &format!(
                                "drf-sso-jwt: feed: {} {}: {}; the one in force stays ({n} more since the last line)",
                                kind.name(),
                                if matches!(outcome, Outcome::Refused(_)) { "document refused" } else { "fetch failed" },
                                sanitize(why.as_bytes(), 300)
                            ),
                        );
                    }
                }
            }
        }

        fn record_gauges(&self, t: f64) {
            if let (Some(m), Some(cfg)) = (&self.metrics, &self.config) {
                m.gauges(&feed::gauges(cfg, t));
            }
        }
    }

    impl Context for Root {
        fn on_http_call_response(
            &mut self,
            token_id: u32,
            _num_headers: usize,
            body_size: usize,
            _num_trailers: usize,
        ) {
            let Some(kind) = self.schedule.finished(token_id) else {
                return;
            };
            let Some(cfg) = self.config.clone() else {
                return;
            };
            let t = now();
            let headers = abi::header_map(abi::CALL_RESPONSE_HEADERS);
            let find = |name: &[u8]| {
                headers.as_ref().and_then(|h| {
                    h.iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(name))
                        .and_then(|(_, v)| core::str::from_utf8(v).ok().map(str::to_owned))
                })
            };
            let status = find(b":status").and_then(|s| s.parse::<u32>().ok());
            let etag = find(b"etag");
            let limit = cfg.feed.as_ref().map_or(0, |f| f.max_document_bytes);
            let outcome;
            let mut body = Vec::new();
            if status == Some(200) && body_size > limit {
                outcome = Outcome::Refused(format!(
                    "{body_size} bytes, over max_document_bytes = {limit}"
                ));
            } else {
                if status == Some(200) {
                    body = hostcalls::get_buffer(BufferType::HttpCallResponseBody, 0, body_size)
                        .ok()
                        .flatten()
                        .unwrap_or_default();
                }
                outcome = feed::answer(&cfg, kind, status, &body, t);
            }
            self.schedule.outcome(kind, &outcome, etag);
            self.outcome(kind, &outcome, Some(&body), t);
            self.record_gauges(t);
        }
    }

    impl RootContext for Root {
        fn on_configure(&mut self, size: usize) -> bool {
            let bytes = match size {
                0 => Vec::new(),
                _ => hostcalls::get_buffer(BufferType::PluginConfiguration, 0, size)
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
            };
            match Config::parse(&bytes) {
                Ok(cfg) => {
                    if self.metrics.as_ref().map(|m| m.prefix.as_str()) != Some(&cfg.stat_prefix) {
                        self.metrics = Some(Rc::new(Metrics::define(&cfg.stat_prefix)));
                    }
                    // Key files only the tokens selecting them will fail on: seen at deploy time.
                    for w in cfg.verifier.borrow().verifier().keys().warnings() {
                        log(LogLevel::Warn, &format!("drf-sso-jwt: {w}"));
                    }
                    let cfg = Rc::new(cfg);
                    self.config = Some(cfg.clone());
                    self.schedule = Schedule::default();
                    if let Some(f) = cfg.feed.clone() {
                        let t = now();
                        // The documents the last configuration had, then the inline ones.
                        for kind in Kind::ALL {
                            let carried = self.taken[kind as usize].clone();
                            let inline = match kind {
                                Kind::Keys => f.inline_keys.clone(),
                                Kind::State => f.inline_state.clone(),
                            };
                            for doc in carried.into_iter().chain(inline.map(String::into_bytes)) {
                                let outcome = feed::apply(&cfg, kind, &doc, t);
                                if !matches!(outcome, Outcome::Unchanged) {
                                    self.outcome(kind, &outcome, Some(&doc), t);
                                }
                            }
                        }
                        let _ = hostcalls::set_tick_period(Duration::from_millis(f.tick_ms()));
                        self.record_gauges(t);
                    } else {
                        let _ = hostcalls::set_tick_period(Duration::ZERO);
                    }
                    log(LogLevel::Info, "drf-sso-jwt: configured");
                    true
                }
                Err(e) => {
                    self.config = None;
                    let m = self
                        .metrics
                        .get_or_insert_with(|| Rc::new(Metrics::define(DEFAULT_STAT_PREFIX)));
                    m.add("config_errors", 1);
                    log(
                        LogLevel::Error,
                        &format!("drf-sso-jwt: bad plugin configuration: {e}"),
                    );
                    false
                }
            }
        }

        fn on_tick(&mut self) {
            let Some(cfg) = self.config.clone() else {
                return;
            };
            let Some(f) = cfg.feed.as_ref() else {
                return;
            };
            let t = now();
            for kind in Kind::ALL {
                if !self.schedule.due(f, kind, t) {
                    continue;
                }
                let headers = self.schedule.request_headers(f, kind);
                let call = self.dispatch_http_call(
                    f.cluster.as_deref().unwrap_or(""),
                    headers,
                    None,
                    Vec::new(),
                    Duration::from_millis(f.timeout_ms),
                );
                match call {
                    Ok(token) => self.schedule.started(kind, token, t),
                    Err(e) => {
                        self.schedule.not_started(kind, t);
                        let outcome =
                            Outcome::FetchFailed(format!("the host refused the call: {e:?}"));
                        self.outcome(kind, &outcome, None, t);
                    }
                }
            }
            self.record_gauges(t);
        }

        fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
            Some(Box::new(Http {
                config: self.config.clone(),
                metrics: self.metrics.clone(),
            }))
        }

        fn get_type(&self) -> Option<ContextType> {
            Some(ContextType::HttpContext)
        }
    }

    struct Http {
        config: Option<Rc<Config>>,
        metrics: Option<Rc<Metrics>>,
    }

    impl Context for Http {}

    impl Http {
        fn deny(&self, code: &'static str) {
            if let Some(m) = &self.metrics {
                m.deny(code);
            }
        }

        /// A local reply that is not a DRF answer (no configuration, a broken host): 500.
        fn fail(&self, code: &'static str, why: &str) -> Action {
            // Rate-limited like refusals: a broken configuration must not flood the log.
            if let Some(n) = WARN.with(|w| w.try_borrow_mut().ok()?.allow(code, now())) {
                log(
                    LogLevel::Error,
                    &format!(
                        "drf-sso-jwt: {why}; refusing the request ({n} more since the last line)"
                    ),
                );
            }
            self.deny(code);
            abi::send_local_response(
                500,
                &details(code),
                &[("content-type", "application/json")],
                b"{\"detail\":\"Invalid configuration.\"}",
            );
            Action::Pause
        }
    }

    impl HttpContext for Http {
        fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
            let Some(cfg) = self.config.clone() else {
                return self.fail("no_config", "no valid configuration");
            };
            let Some(pairs) = abi::request_headers() else {
                return self.fail("host_error", "the host sent no readable request headers");
            };
            // One pass: reserved names to remove, :method, :path, and the credentials copies.
            let (mut method, mut path): (&[u8], &[u8]) = (b"", b"");
            let mut credentials = Credentials::Absent;
            let mut reserved: Vec<&[u8]> = Vec::new();
            for (name, value) in pairs.iter() {
                if name == b":method" {
                    method = value;
                } else if name == b":path" {
                    path = value;
                } else if name.eq_ignore_ascii_case(cfg.header.as_bytes()) {
                    credentials = match credentials {
                        Credentials::Absent => Credentials::One(value),
                        _ => Credentials::Many,
                    };
                } else if cfg.is_reserved(name) && !reserved.contains(&name) {
                    reserved.push(name);
                }
            }
            for name in &reserved {
                abi::remove_request_header(name);
            }
            let before = cfg.verifier.try_borrow().map(|v| v.stats()).ok();
            let t = now();
            let decision = decide(
                &cfg,
                &Request {
                    method,
                    path,
                    credentials,
                },
                t,
            );
            if let (Some(m), Some((h0, m0)), Ok((h1, m1))) = (
                &self.metrics,
                before,
                cfg.verifier.try_borrow().map(|v| v.stats()),
            ) {
                m.add("cache_hits", h1.saturating_sub(h0));
                m.add("cache_misses", m1.saturating_sub(m0));
            }
            match decision {
                Decision::Forward {
                    headers,
                    strip,
                    why,
                } => {
                    if let Some(m) = &self.metrics {
                        m.add(why.name(), 1);
                    }
                    for (name, value) in headers.iter() {
                        abi::set_request_header(name.as_bytes(), value.as_bytes());
                    }
                    if strip {
                        abi::remove_request_header(cfg.header.as_bytes());
                    }
                    Action::Continue
                }
                Decision::Reject {
                    status,
                    body,
                    headers,
                    code,
                    message,
                } => {
                    self.deny(code);
                    let suppressed = WARN.with(|w| w.try_borrow_mut().ok()?.allow(code, t));
                    if let Some(n) = suppressed {
                        let more = match n {
                            0 => String::new(),
                            n => format!(" ({n} more of this class since the last line)"),
                        };
                        log(
                            LogLevel::Warn,
                            &format!(
                                "drf-sso-jwt: {status} {code} {} {}: {}{more}",
                                sanitize(method, 16),
                                sanitize(path, 200),
                                sanitize(message.as_bytes(), 300)
                            ),
                        );
                    } else if enabled(LogLevel::Debug) {
                        log(
                            LogLevel::Debug,
                            &format!(
                                "drf-sso-jwt: {status} {code}: {}",
                                sanitize(message.as_bytes(), 300)
                            ),
                        );
                    }
                    let headers: Vec<(&str, &str)> =
                        headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
                    abi::send_local_response(status, &details(code), &headers, body.as_bytes());
                    Action::Pause
                }
            }
        }
    }
}
