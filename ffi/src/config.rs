//! The cluster configuration builder.

use std::ffi::c_char;
use std::sync::Mutex;
use std::time::Duration;

use cqlbridge_core::{
    ClusterConfig, ClusterConfigBuilder, Compression, Consistency, LoadBalancing, Retry,
    SpeculativeExecution, TlsConfig,
};

use crate::boundary::{fail, ffi_call, out, release, resolve, str_arg, FfiResult};
use crate::handle::{Kind, REGISTRY};
use crate::status::cqlb_status;

/// A cluster configuration under construction.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cqlb_cluster_config {
    /// The handle; 0 is never valid.
    pub handle: u64,
}

pub(crate) type Builder = Mutex<Option<ClusterConfigBuilder>>;

/// Applies `f` to the configuration's builder; when `f` fails, the builder stays as it was.
fn update(
    config: cqlb_cluster_config,
    f: impl FnOnce(ClusterConfigBuilder) -> FfiResult<ClusterConfigBuilder>,
) -> FfiResult {
    let builder = resolve::<Builder>(config.handle, Kind::ClusterConfig)?;
    let mut guard = builder.lock().unwrap_or_else(|p| p.into_inner());
    let current = guard.take().unwrap_or_default();
    let kept = current.clone();
    let (builder, outcome) = match f(current) {
        Ok(updated) => (updated, Ok(())),
        Err(e) => (kept, Err(e)),
    };
    *guard = Some(builder);
    outcome
}

/// The configuration built so far, checked.
pub(crate) fn build(config: cqlb_cluster_config) -> FfiResult<ClusterConfig> {
    let builder = resolve::<Builder>(config.handle, Kind::ClusterConfig)?;
    let guard = builder.lock().unwrap_or_else(|p| p.into_inner());
    Ok(guard.clone().unwrap_or_default().build()?)
}

pub(crate) fn consistency_from_c(value: u16) -> FfiResult<Consistency> {
    Ok(Consistency::try_from(value)?)
}

/// Creates an empty configuration (defaults: port 9042, LOCAL_ONE, 10 s request timeout,
/// 5 s connect timeout, 5000 rows per page). Free it with `cqlb_cluster_config_free`.
#[no_mangle]
pub unsafe extern "C" fn cqlb_cluster_config_new(
    out_config: *mut cqlb_cluster_config,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_config, "out_config")?;
        let handle = REGISTRY.insert::<Builder>(
            Kind::ClusterConfig,
            Mutex::new(Some(ClusterConfigBuilder::default())),
        );
        slot.write(cqlb_cluster_config { handle });
        Ok(())
    })
}

/// Frees a configuration. Sessions connected with it are unaffected.
#[no_mangle]
pub extern "C" fn cqlb_cluster_config_free(config: cqlb_cluster_config) -> cqlb_status {
    ffi_call(|| release(config.handle, Kind::ClusterConfig))
}

/// Adds a contact point (`host` or `host:port`, UTF-8, `len` bytes).
#[no_mangle]
pub unsafe extern "C" fn cqlb_cluster_config_add_contact_point(
    config: cqlb_cluster_config,
    host: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let host = str_arg(host, len, "host")?.to_owned();
        update(config, |b| Ok(b.contact_point(host)))
    })
}

/// Sets the port for contact points given without one.
#[no_mangle]
pub extern "C" fn cqlb_cluster_config_set_port(
    config: cqlb_cluster_config,
    port: u16,
) -> cqlb_status {
    ffi_call(|| update(config, |b| Ok(b.port(port))))
}

/// Uses this keyspace once connected.
#[no_mangle]
pub unsafe extern "C" fn cqlb_cluster_config_set_keyspace(
    config: cqlb_cluster_config,
    keyspace: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let ks = str_arg(keyspace, len, "keyspace")?.to_owned();
        update(config, |b| Ok(b.keyspace(ks)))
    })
}

/// Sets the default consistency level (a `CQLB_CONSISTENCY_*` value).
#[no_mangle]
pub extern "C" fn cqlb_cluster_config_set_consistency(
    config: cqlb_cluster_config,
    consistency_level: u16,
) -> cqlb_status {
    ffi_call(|| {
        let c = consistency_from_c(consistency_level)?;
        update(config, |b| Ok(b.consistency(c)))
    })
}

/// Sets the default request timeout in milliseconds (positive).
#[no_mangle]
pub extern "C" fn cqlb_cluster_config_set_request_timeout_ms(
    config: cqlb_cluster_config,
    millis: u64,
) -> cqlb_status {
    ffi_call(|| {
        update(config, |b| {
            Ok(b.request_timeout(Duration::from_millis(millis)))
        })
    })
}

/// Sets the connect timeout in milliseconds (positive).
#[no_mangle]
pub extern "C" fn cqlb_cluster_config_set_connect_timeout_ms(
    config: cqlb_cluster_config,
    millis: u64,
) -> cqlb_status {
    ffi_call(|| {
        update(config, |b| {
            Ok(b.connect_timeout(Duration::from_millis(millis)))
        })
    })
}

/// Sets the default page size in rows (positive).
#[no_mangle]
pub extern "C" fn cqlb_cluster_config_set_page_size(
    config: cqlb_cluster_config,
    rows: i32,
) -> cqlb_status {
    ffi_call(|| update(config, |b| Ok(b.page_size(rows))))
}

/// Authenticates with a username and password (PasswordAuthenticator).
#[no_mangle]
pub unsafe extern "C" fn cqlb_cluster_config_set_credentials(
    config: cqlb_cluster_config,
    username: *const c_char,
    username_len: usize,
    password: *const c_char,
    password_len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let user = str_arg(username, username_len, "username")?.to_owned();
        let pass = str_arg(password, password_len, "password")?.to_owned();
        update(config, |b| Ok(b.credentials(user, pass)))
    })
}

/// Connects over TLS, trusting the CAs of the PEM file `ca_file`. `cert_file` and `key_file`
/// (PEM) give a client certificate for mutual TLS; pass NULL and 0 for none.
/// `verify_hostname` 0 accepts a certificate issued for another address (the chain is still
/// verified).
#[no_mangle]
pub unsafe extern "C" fn cqlb_cluster_config_set_tls(
    config: cqlb_cluster_config,
    ca_file: *const c_char,
    ca_file_len: usize,
    cert_file: *const c_char,
    cert_file_len: usize,
    key_file: *const c_char,
    key_file_len: usize,
    verify_hostname: bool,
) -> cqlb_status {
    ffi_call(|| {
        let mut tls = TlsConfig::new(str_arg(ca_file, ca_file_len, "ca_file")?);
        let cert = str_arg(cert_file, cert_file_len, "cert_file")?;
        let key = str_arg(key_file, key_file_len, "key_file")?;
        match (cert.is_empty(), key.is_empty()) {
            (true, true) => {}
            (false, false) => tls.client_cert = Some((cert.into(), key.into())),
            _ => {
                return fail(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    "a client certificate needs both cert_file and key_file",
                )
            }
        }
        tls.verify_hostname = verify_hostname;
        update(config, |b| Ok(b.tls(tls)))
    })
}

/// Checks the nodes' certificates against `server_name` instead of the address connected to
/// (a node behind a proxy, a certificate issued for a DNS name). Call it after
/// `cqlb_cluster_config_set_tls`: `CQLB_INVALID_ARGUMENT` without TLS. Ignored when hostname
/// verification is off.
#[no_mangle]
pub unsafe extern "C" fn cqlb_cluster_config_set_tls_server_name(
    config: cqlb_cluster_config,
    server_name: *const c_char,
    server_name_len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(server_name, server_name_len, "server_name")?.to_owned();
        if name.is_empty() {
            return fail(cqlb_status::CQLB_INVALID_ARGUMENT, "empty server_name");
        }
        update(config, |b| match b.tls_config() {
            Some(tls) => {
                let mut tls = tls.clone();
                tls.server_name = Some(name);
                Ok(b.tls(tls))
            }
            None => fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                "set TLS (cqlb_cluster_config_set_tls) before its server name",
            ),
        })
    })
}

/// Load balancing: `token_aware`, over DC-awareness with `local_dc` (NULL/0 for none;
/// `permit_remote_dc` falls back to other datacenters), or over round-robin when
/// `round_robin` is true.
#[no_mangle]
pub unsafe extern "C" fn cqlb_cluster_config_set_load_balancing(
    config: cqlb_cluster_config,
    round_robin: bool,
    local_dc: *const c_char,
    local_dc_len: usize,
    permit_remote_dc: bool,
    token_aware: bool,
) -> cqlb_status {
    ffi_call(|| {
        let dc = str_arg(local_dc, local_dc_len, "local_dc")?;
        let lb = if round_robin {
            LoadBalancing::RoundRobin { token_aware }
        } else {
            LoadBalancing::DcAware {
                local_dc: (!dc.is_empty()).then(|| dc.to_owned()),
                permit_remote_dc,
                token_aware,
            }
        };
        update(config, |b| Ok(b.load_balancing(lb)))
    })
}

/// Retry policy: 0 default, 1 fallthrough (never retry), 2 downgrading consistency.
#[no_mangle]
pub extern "C" fn cqlb_cluster_config_set_retry_policy(
    config: cqlb_cluster_config,
    policy: u32,
) -> cqlb_status {
    ffi_call(|| {
        let r = retry_from_c(policy)?;
        update(config, |b| Ok(b.retry(r)))
    })
}

/// Speculative execution of idempotent statements: after `delay_ms`, up to `max_attempts`
/// extra attempts.
#[no_mangle]
pub extern "C" fn cqlb_cluster_config_set_speculative_execution(
    config: cqlb_cluster_config,
    delay_ms: u64,
    max_attempts: u32,
) -> cqlb_status {
    ffi_call(|| {
        let s = SpeculativeExecution {
            delay: Duration::from_millis(delay_ms),
            max_attempts: max_attempts as usize,
        };
        update(config, |b| Ok(b.speculative_execution(s)))
    })
}

/// Frame compression: 0 none, 1 LZ4, 2 Snappy.
#[no_mangle]
pub extern "C" fn cqlb_cluster_config_set_compression(
    config: cqlb_cluster_config,
    compression: u32,
) -> cqlb_status {
    ffi_call(|| {
        let c = match compression {
            0 => None,
            1 => Some(Compression::Lz4),
            2 => Some(Compression::Snappy),
            other => {
                return fail(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    format!("unknown compression {other}"),
                )
            }
        };
        update(config, |mut b| {
            if let Some(c) = c {
                b = b.compression(c);
            }
            Ok(b)
        })
    })
}

/// Sets the number of threads of the library's runtime. Effective only before the first
/// connection; `CQLB_INVALID_ARGUMENT` afterwards.
#[no_mangle]
pub extern "C" fn cqlb_set_runtime_threads(threads: u32) -> cqlb_status {
    ffi_call(|| {
        if threads == 0 {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                "the runtime needs at least one thread",
            );
        }
        if cqlbridge_core::runtime::set_worker_threads(threads as usize) {
            Ok(())
        } else {
            fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                "the runtime is already running",
            )
        }
    })
}

/// Adds a named execution profile that statements pick with `cqlb_statement_set_profile`:
/// its consistency (`CQLB_CONSISTENCY_*`), retry policy (as `cqlb_cluster_config_set_retry_policy`)
/// and request timeout in ms (0: the session's).
#[no_mangle]
pub unsafe extern "C" fn cqlb_cluster_config_add_profile(
    config: cqlb_cluster_config,
    name: *const c_char,
    name_len: usize,
    consistency_level: u16,
    retry_policy: u32,
    request_timeout_ms: u64,
) -> cqlb_status {
    ffi_call(|| {
        let name = str_arg(name, name_len, "name")?.to_owned();
        let profile = cqlbridge_core::ExecutionProfile {
            consistency: consistency_from_c(consistency_level)?,
            retry: retry_from_c(retry_policy)?,
            request_timeout: (request_timeout_ms != 0)
                .then(|| Duration::from_millis(request_timeout_ms)),
            ..Default::default()
        };
        update(config, |b| Ok(b.profile(name, profile)))
    })
}

/// Connects only to the hosts added this way (`ip` or `ip:port`); by default, every host.
#[no_mangle]
pub unsafe extern "C" fn cqlb_cluster_config_add_allowed_host(
    config: cqlb_cluster_config,
    host: *const c_char,
    len: usize,
) -> cqlb_status {
    ffi_call(|| {
        let host = str_arg(host, len, "host")?.to_owned();
        update(config, |b| Ok(b.allowed_host(host)))
    })
}

/// Reconnection delays: `kind` 0 exponential from `base_ms` to `max_ms`, 1 constant
/// `base_ms`.
#[no_mangle]
pub extern "C" fn cqlb_cluster_config_set_reconnection(
    config: cqlb_cluster_config,
    kind: u32,
    base_ms: u64,
    max_ms: u64,
) -> cqlb_status {
    ffi_call(|| {
        let r = match kind {
            0 => cqlbridge_core::Reconnection::Exponential {
                base: Duration::from_millis(base_ms),
                max: Duration::from_millis(max_ms),
            },
            1 => cqlbridge_core::Reconnection::Constant {
                delay: Duration::from_millis(base_ms),
            },
            other => {
                return fail(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    format!("unknown reconnection kind {other}"),
                )
            }
        };
        update(config, |b| Ok(b.reconnection(r)))
    })
}

/// Keepalive interval on idle connections in ms; 0 turns keepalives off.
#[no_mangle]
pub extern "C" fn cqlb_cluster_config_set_heartbeat_interval_ms(
    config: cqlb_cluster_config,
    millis: u64,
) -> cqlb_status {
    ffi_call(|| {
        update(config, |b| {
            Ok(b.heartbeat_interval((millis != 0).then(|| Duration::from_millis(millis))))
        })
    })
}

fn retry_from_c(policy: u32) -> FfiResult<Retry> {
    Ok(match policy {
        0 => Retry::Default,
        1 => Retry::Fallthrough,
        2 => Retry::DowngradingConsistency,
        other => {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("unknown retry policy {other}"),
            )
        }
    })
}
