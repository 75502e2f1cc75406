//! Finding and parsing every supported file below a root. (Being written by the lead.)
