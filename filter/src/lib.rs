//! A proxy-wasm (ABI 0.2.1) HTTP filter that authenticates djangorestframework-sso JWTs
//! with the verdicts of the Django server, using the `drf-sso-jwt` core.
//!
//! [`config`] and [`decide`] hold all the logic and build natively; the proxy-wasm glue
//! below exists only for `wasm32` targets. The glue never panics on host input: every
//! host call it makes is one whose SDK wrapper only fails on a host that breaks the ABI.
extern crate alloc;

pub mod config;
pub mod decide;

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
    use proxy_wasm::types::{Action, BufferType, ContextType, LogLevel, MapType};
    use std::time::UNIX_EPOCH;

    use crate::config::Config;
    use crate::decide::{decide, Decision};

    proxy_wasm::main! {{
        proxy_wasm::set_log_level(LogLevel::Info);
        proxy_wasm::set_root_context(|_| -> Box<dyn RootContext> { Box::new(Root { config: None }) });
    }}

    fn log(level: LogLevel, message: &str) {
        let _ = hostcalls::log(level, message);
    }

    /// The host's log level allows `level`.
    fn enabled(level: LogLevel) -> bool {
        hostcalls::get_log_level().map_or(true, |l| l as u32 <= level as u32)
    }

    struct Root {
        /// `None` until a configuration parsed (and after a bad one): requests then fail closed.
        config: Option<Rc<Config>>,
    }

    impl Context for Root {}

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
                    self.config = Some(Rc::new(cfg));
                    log(LogLevel::Info, "drf-sso-jwt: configured");
                    true
                }
                Err(e) => {
                    self.config = None;
                    log(
                        LogLevel::Error,
                        &format!("drf-sso-jwt: bad plugin configuration: {e}"),
                    );
                    false
                }
            }
        }

        fn create_http_context(&self, _context_id: u32) -> Option<Box<dyn HttpContext>> {
            Some(Box::new(Http {
                config: self.config.clone(),
            }))
        }

        fn get_type(&self) -> Option<ContextType> {
            Some(ContextType::HttpContext)
        }
    }

    struct Http {
        config: Option<Rc<Config>>,
    }

    impl Context for Http {}

    thread_local! {
        /// Reused per request so the removal scan allocates nothing after the first requests.
        static SCRATCH: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    impl Http {
        fn now(&self) -> f64 {
            match self.get_current_time().duration_since(UNIX_EPOCH) {
                Ok(d) => d.as_secs_f64(),
                Err(_) => 0.0,
            }
        }

        /// Removes every client-supplied header that only this filter may set.
        fn remove_reserved(&self, cfg: &Config) {
            SCRATCH.with(|s| {
                let mut names = s.borrow_mut();
                names.clear();
                if let Ok(pairs) = hostcalls::get_map_bytes(MapType::HttpRequestHeaders) {
                    for (name, _) in pairs {
                        if cfg.is_reserved(&name) && !names.contains(&name) {
                            names.push(name);
                        }
                    }
                }
                for name in names.iter() {
                    let _ = hostcalls::remove_map_value(MapType::HttpRequestHeaders, name);
                }
            });
        }
    }

    impl HttpContext for Http {
        fn on_http_request_headers(&mut self, _num_headers: usize, _end_of_stream: bool) -> Action {
            let Some(cfg) = self.config.clone() else {
                log(
                    LogLevel::Error,
                    "drf-sso-jwt: no valid configuration; refusing the request",
                );
                let _ = hostcalls::send_http_response(
                    500,
                    alloc::vec![("content-type", "application/json")],
                    Some(b"{\"detail\":\"Invalid configuration.\"}"),
                );
                return Action::Pause;
            };
            self.remove_reserved(&cfg);
            let path = hostcalls::get_map_value_bytes(MapType::HttpRequestHeaders, ":path")
                .ok()
                .flatten();
            let credentials =
                hostcalls::get_map_value_bytes(MapType::HttpRequestHeaders, &cfg.header)
                    .ok()
                    .flatten();
            match decide(&cfg, path.as_deref(), credentials.as_deref(), self.now()) {
                Decision::Forward {
                    headers,
                    strip,
                    reason,
                } => {
                    for (name, value) in &headers {
                        let _ = hostcalls::set_map_value(
                            MapType::HttpRequestHeaders,
                            name,
                            Some(value),
                        );
                    }
                    if strip {
                        let _ =
                            hostcalls::remove_map_value(MapType::HttpRequestHeaders, &cfg.header);
                    }
                    if reason != "authenticated" && enabled(LogLevel::Debug) {
                        log(
                            LogLevel::Debug,
                            &format!("drf-sso-jwt: forwarded ({reason})"),
                        );
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
                    if enabled(LogLevel::Debug) {
                        log(
                            LogLevel::Debug,
                            &format!("drf-sso-jwt: 401 {code}: {message}"),
                        );
                    }
                    let headers: Vec<(&str, &str)> =
                        headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
                    let _ = hostcalls::send_http_response(status, headers, Some(body.as_bytes()));
                    Action::Pause
                }
            }
        }
    }
}
