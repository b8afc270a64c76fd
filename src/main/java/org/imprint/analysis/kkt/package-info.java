/**
 * Non-identifiability of training data from a trained binary ReLU network (Refael, Smorodinsky, Lindenbaum &amp;
 * Safran 2025, "No Prior, No Leakage", arXiv:2509.21296): the true-data KKT residual by NNLS, and alternative
 * datasets (splitting off the data span, splitting along the smallest singular direction, merging) that satisfy
 * the same stationarity condition, each verified by recomputation.
 */
package org.imprint.analysis.kkt;
