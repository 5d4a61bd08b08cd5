//! samwise-syntax (skeleton).
