/**
 * Datasets: the shipped MNIST and Fashion-MNIST files with the papers' first-k-per-class subsets and
 * labelings, seeded synthetic data (sphere, Gaussian mixture, univariate), user-supplied X/y files, and
 * mean subtraction. A {@link org.imprint.data.Dataset} is an (n, d) float64 matrix with class ids.
 */
package org.imprint.data;
