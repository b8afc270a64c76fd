/**
 * Measurements on models and attack results: image similarity (NCC matching, SSIM), ROC curves and
 * membership metrics, and the non-identifiability analysis of the KKT conditions.
 */
package org.imprint.analysis;
