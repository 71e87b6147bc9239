//! The subset's interpreter (placeholder until the interpreter lands).
