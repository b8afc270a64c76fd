/**
 * The networks Imprint trains and attacks: ReLU MLPs in PyTorch's parameter layout (Linear weights
 * (out, in), state-dict names of {@code nn.Sequential}), homogeneous when only the first layer has a bias, and
 * their written-out forward/backward for training ({@code MlpBackprop}); {@code models.llama}: a small decoder.
 */
package org.imprint.models;
