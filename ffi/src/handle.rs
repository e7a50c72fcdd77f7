//! The generation-checked handle registry (in the spirit of ffi-support's handle maps).
//!
//! A handle is a `u64`: slot index + 1 (32 bits, so 0 is never valid), the slot's generation
//! (24 bits) and the object's kind (8 bits). Freeing an object bumps its slot's generation,
//! so a stale handle — freed, or freed and reused — resolves to `CQLB_INVALID_HANDLE`, as does
//! a handle of another kind. The registry holds `Arc`s: an object in use survives a
//! concurrent free, which only removes it from the registry.

use std::any::Any;
use std::sync::{Arc, Mutex, MutexGuard};

/// The kinds of objects behind handles. Numbers are part of the handle; never reuse them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// A cluster configuration builder.
    ClusterConfig = 1,
    /// A connected session.
    Session = 2,
    /// A future.
    Future = 3,
    /// A result page.
    Result = 4,
    /// A prepared statement.
    Prepared = 5,
    /// A statement with its bound values.
    Statement = 6,
    /// A batch.
    Batch = 7,
    /// A value under construction (collections, tuples, UDTs, vectors).
    Value = 8,
    /// The outcomes of a concurrent execution.
    Outcomes = 9,
    /// A metadata snapshot.
    Metadata = 10,
    /// A model description.
    Model = 11,
    /// A batch of model writes.
    ModelBatch = 12,
    /// A running host watch.
    HostWatch = 13,
}

const GENERATION_BITS: u32 = 24;
const GENERATION_MASK: u32 = (1 << GENERATION_BITS) - 1;

struct Slot {
    generation: u32,
    kind: Option<Kind>,
    value: Option<Arc<dyn Any + Send + Sync>>,
}

/// The registry: slots plus a free list.
pub struct Registry {
    inner: Mutex<Inner>,
}

struct Inner {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

/// Why a handle did not resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidHandle;

fn encode(index: u32, generation: u32, kind: Kind) -> u64 {
    (u64::from(index + 1) << 32)
        | (u64::from(generation & GENERATION_MASK) << 8)
        | u64::from(kind as u8)
}

fn decode(handle: u64) -> Option<(usize, u32, u8)> {
    let index = (handle >> 32) as u32;
    if index == 0 {
        return None;
    }
    Some((
        (index - 1) as usize,
        ((handle >> 8) as u32) & GENERATION_MASK,
        handle as u8,
    ))
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    /// An empty registry.
    pub const fn new() -> Self {
        Registry {
            inner: Mutex::new(Inner {
                slots: Vec::new(),
                free: Vec::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers `value` as an object of `kind`; returns its handle.
    pub fn insert<T: Any + Send + Sync>(&self, kind: Kind, value: T) -> u64 {
        self.insert_arc(kind, Arc::new(value))
    }

    /// Registers a shared object.
    pub fn insert_arc<T: Any + Send + Sync>(&self, kind: Kind, value: Arc<T>) -> u64 {
        let mut inner = self.lock();
        let index = match inner.free.pop() {
            Some(i) => i,
            None => {
                inner.slots.push(Slot {
                    generation: 0,
                    kind: None,
                    value: None,
                });
                (inner.slots.len() - 1) as u32
            }
        };
        let slot = &mut inner.slots[index as usize];
        slot.kind = Some(kind);
        slot.value = Some(value);
        encode(index, slot.generation, kind)
    }

    /// The object behind `handle`, if it is live, of `kind`, and a `T`.
    pub fn get<T: Any + Send + Sync>(
        &self,
        handle: u64,
        kind: Kind,
    ) -> Result<Arc<T>, InvalidHandle> {
        let (index, generation, k) = decode(handle).ok_or(InvalidHandle)?;
        if k != kind as u8 {
            return Err(InvalidHandle);
        }
        let inner = self.lock();
        let slot = inner.slots.get(index).ok_or(InvalidHandle)?;
        if slot.generation != generation || slot.kind != Some(kind) {
            return Err(InvalidHandle);
        }
        slot.value
            .clone()
            .ok_or(InvalidHandle)?
            .downcast::<T>()
            .map_err(|_| InvalidHandle)
    }

    /// Removes the object behind `handle` (which must be live and of `kind`) and returns it.
    /// Its slot's generation moves on, so the handle is stale from now on.
    pub fn remove(
        &self,
        handle: u64,
        kind: Kind,
    ) -> Result<Arc<dyn Any + Send + Sync>, InvalidHandle> {
        let (index, generation, k) = decode(handle).ok_or(InvalidHandle)?;
        if k != kind as u8 {
            return Err(InvalidHandle);
        }
        let mut inner = self.lock();
        let slot = inner.slots.get_mut(index).ok_or(InvalidHandle)?;
        if slot.generation != generation || slot.kind != Some(kind) {
            return Err(InvalidHandle);
        }
        let value = slot.value.take().ok_or(InvalidHandle)?;
        slot.kind = None;
        slot.generation = (slot.generation + 1) & GENERATION_MASK;
        inner.free.push(index as u32);
        Ok(value)
    }

    /// How many objects are live.
    pub fn len(&self) -> usize {
        let inner = self.lock();
        inner.slots.len() - inner.free.len()
    }

    /// Whether no object is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The process-wide registry behind every C handle.
pub static REGISTRY: Registry = Registry::new();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_stale_and_wrong_kind_handles_are_invalid() {
        let r = Registry::new();
        assert_eq!(r.get::<u32>(0, Kind::Session), Err(InvalidHandle));
        let h = r.insert(Kind::Session, 7u32);
        assert_eq!(*r.get::<u32>(h, Kind::Session).unwrap(), 7);
        assert_eq!(
            r.get::<u32>(h, Kind::Future),
            Err(InvalidHandle),
            "wrong kind"
        );
        assert!(r.get::<String>(h, Kind::Session).is_err(), "wrong type");
        assert!(r.remove(h, Kind::Session).is_ok());
        assert_eq!(r.get::<u32>(h, Kind::Session), Err(InvalidHandle), "freed");
        assert!(r.remove(h, Kind::Session).is_err(), "double free");
        // The slot is reused with a new generation: the old handle stays invalid.
        let h2 = r.insert(Kind::Session, 8u32);
        assert_ne!(h, h2);
        assert_eq!(h >> 32, h2 >> 32, "same slot");
        assert_eq!(
            r.get::<u32>(h, Kind::Session),
            Err(InvalidHandle),
            "stale after reuse"
        );
        assert_eq!(*r.get::<u32>(h2, Kind::Session).unwrap(), 8);
        assert_eq!(
            r.get::<u32>(u64::MAX, Kind::Session),
            Err(InvalidHandle),
            "out of range"
        );
    }

    #[test]
    fn an_object_in_use_survives_a_concurrent_free() {
        let r = Registry::new();
        let h = r.insert(Kind::Result, String::from("alive"));
        let held = r.get::<String>(h, Kind::Result).unwrap();
        r.remove(h, Kind::Result).unwrap();
        assert_eq!(*held, "alive");
    }

    #[test]
    fn concurrent_insert_resolve_and_free_keep_handles_apart() {
        let r = Arc::new(Registry::new());
        let threads: Vec<_> = (0..8u64)
            .map(|t| {
                let r = r.clone();
                std::thread::spawn(move || {
                    for i in 0..2_000u64 {
                        let v = t * 1_000_000 + i;
                        let h = r.insert(Kind::Value, v);
                        assert_eq!(*r.get::<u64>(h, Kind::Value).unwrap(), v);
                        r.remove(h, Kind::Value).unwrap();
                        assert!(r.get::<u64>(h, Kind::Value).is_err());
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(r.is_empty());
    }
}
