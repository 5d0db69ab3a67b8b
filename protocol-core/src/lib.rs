//! twill-protocol (being built).
