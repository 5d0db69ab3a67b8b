//! twill-engine: the embedded MVCC SQL engine (being built).
