//! Garbage collection: dropping what no snapshot can see.
//!
//! The *horizon* is the oldest snapshot still registered (transactions'
//! and open scans'), or the last commit if there is none: no reader now or
//! later sees the world as it was before it. On every chain, versions older
//! than the newest one committed at or before the horizon are invisible to
//! everyone:
//!
//! ```text
//!                      horizon = 8
//!                          │
//!   [csn 3: v1] [csn 6: v2] [csn 9: v3] [txn 12: v4]
//!    └── garbage ┘ └─ kept: snapshot 8 sees v2
//! ```
//!
//! A row whose only version is a deletion committed at or before the
//! horizon, and that nobody has locked, goes entirely, with its index
//! entries. A dropped table goes once no catalog version refers to it.
//!
//! Writers prune the chain they push onto, so a hot row stays short without
//! any sweep; [`Engine::vacuum`](super::Engine::vacuum) (also run after
//! `autovacuum_deletes` deletes) sweeps everything else.

use std::collections::HashSet;

use super::schema::TableId;
use super::store::Store;

/// What a vacuum removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VacuumStats {
    /// Row versions removed.
    pub versions: usize,
    /// Whole rows (dead keys) removed.
    pub rows: usize,
    /// Secondary index entries removed.
    pub index_entries: usize,
    /// Dropped tables whose data was freed.
    pub tables: usize,
}

impl Store {
    /// Sweeps the catalog, every table and every index.
    pub(crate) fn vacuum(&mut self) -> VacuumStats {
        let horizon = self.horizon();
        let mut stats = VacuumStats::default();
        self.deletes_since_vacuum = 0;

        self.catalog.retain(|_, chain| {
            chain.prune(horizon);
            !chain.is_dead(horizon)
        });
        let referenced: HashSet<TableId> = self
            .catalog
            .values()
            .flat_map(|c| {
                c.versions
                    .iter()
                    .filter_map(|v| v.value.as_ref().map(|d| d.id))
            })
            .collect();
        let before = self.tables.len();
        self.tables.retain(|id, _| referenced.contains(id));
        stats.tables = before - self.tables.len();

        for data in self.tables.values_mut() {
            data.rows.retain(|_, entry| {
                stats.versions += entry.chain.prune(horizon).len();
                let dead = entry.chain.is_dead(horizon) && entry.unreferenced();
                if dead {
                    stats.rows += 1;
                    stats.versions += entry.chain.versions.len();
                }
                !dead
            });
            let def = data.def.clone();
            let rows = &data.rows;
            for (i, index) in data.indexes.iter_mut().enumerate() {
                let before = index.len();
                index.retain(|(ik, pk)| {
                    rows.get(pk).is_some_and(|e| {
                        e.chain.versions.iter().any(|v| {
                            v.value
                                .as_ref()
                                .is_some_and(|r| def.index_key(i, r).0 == *ik)
                        })
                    })
                });
                stats.index_entries += before - index.len();
            }
        }
        stats
    }
}
