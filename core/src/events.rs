//! Host events: a node added, removed, up or down, delivered to a listener.
//!
//! The driver's own host-listener API is unstable in scylla 1.9 (and not yet fed by it), so
//! core watches the driver's view of the cluster instead: every `interval` it compares the
//! hosts and their connection state with the previous look and reports the differences.
//! A node is up while the driver holds a working connection to it.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::task::AbortHandle;
use uuid::Uuid;

use crate::error::Result;
use crate::metadata::Host;
use crate::runtime;
use crate::session::Session;

/// What happened to a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostEvent {
    /// A node joined the driver's view of the cluster.
    Added(Host),
    /// A node left it.
    Removed(Host),
    /// The driver can reach the node again.
    Up(Host),
    /// The driver lost every connection to the node.
    Down(Host),
}

/// Default interval between two looks at the cluster.
pub const DEFAULT_WATCH_INTERVAL: Duration = Duration::from_millis(250);

/// A running host watch; dropping it (or [`HostWatch::stop`]) stops the events.
#[derive(Debug)]
pub struct HostWatch {
    task: AbortHandle,
}

impl HostWatch {
    /// Stops the watch.
    pub fn stop(self) {}
}

impl Drop for HostWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn diff(before: &HashMap<Uuid, Host>, now: &HashMap<Uuid, Host>) -> Vec<HostEvent> {
    let mut events = Vec::new();
    for (id, host) in now {
        match before.get(id) {
            None => events.push(HostEvent::Added(host.clone())),
            Some(old) if old.up && !host.up => events.push(HostEvent::Down(host.clone())),
            Some(old) if !old.up && host.up => events.push(HostEvent::Up(host.clone())),
            _ => {}
        }
    }
    for (id, host) in before {
        if !now.contains_key(id) {
            events.push(HostEvent::Removed(host.clone()));
        }
    }
    events
}

impl Session {
    /// Calls `listener` (on a runtime thread) for every host change seen, checking every
    /// `interval`. The current hosts are not reported; only changes after this call.
    pub fn watch_hosts(
        self: &Arc<Self>,
        interval: Duration,
        listener: impl Fn(HostEvent) + Send + Sync + 'static,
    ) -> Result<HostWatch> {
        let session: Weak<Session> = Arc::downgrade(self);
        let snapshot = |s: &Session| {
            s.hosts()
                .into_iter()
                .map(|h| (h.host_id, h))
                .collect::<HashMap<_, _>>()
        };
        let mut before = snapshot(self);
        let task = runtime::spawn(async move {
            let mut ticks = tokio::time::interval(interval.max(Duration::from_millis(10)));
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let Some(s) = session.upgrade() else { return };
                let now = snapshot(&s);
                drop(s);
                for event in diff(&before, &now) {
                    listener(event);
                }
                before = now;
            }
        })?;
        Ok(HostWatch {
            task: task.abort_handle(),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use super::*;

    fn host(n: u128, up: bool) -> Host {
        Host {
            host_id: Uuid::from_u128(n),
            address: SocketAddr::from(([127, 0, 0, n as u8], 9042)),
            datacenter: None,
            rack: None,
            up,
        }
    }

    fn map(hosts: &[Host]) -> HashMap<Uuid, Host> {
        hosts.iter().map(|h| (h.host_id, h.clone())).collect()
    }

    #[test]
    fn differences_become_events() {
        let before = map(&[host(1, true), host(2, true), host(3, false)]);
        let now = map(&[host(1, true), host(2, false), host(3, true), host(4, true)]);
        let mut events = diff(&before, &now);
        events.sort_by_key(|e| format!("{e:?}"));
        assert_eq!(
            events,
            vec![
                HostEvent::Added(host(4, true)),
                HostEvent::Down(host(2, false)),
                HostEvent::Up(host(3, true))
            ]
        );
        assert_eq!(diff(&now, &map(&[host(1, true)])).len(), 3, "three removed");
    }
}
