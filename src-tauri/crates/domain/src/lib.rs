//! casebridge-domain (skeleton: filled by its owner)
