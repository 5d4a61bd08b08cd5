//! samwise-runtime (skeleton).
