#pragma once
// The dense-layer kernels: forward (bias + activation fused), input gradient (previous
// activation's derivative fused), parameter gradients, elementwise activations, their scalar
// references, and the FMA-peak probe the benchmarks measure against.
#include <ctnn/kernels/activation.hpp>
#include <ctnn/kernels/dense_backward_input.hpp>
#include <ctnn/kernels/dense_backward_weights.hpp>
#include <ctnn/kernels/dense_forward.hpp>
#include <ctnn/kernels/fma_peak.hpp>
#include <ctnn/kernels/reference.hpp>
#include <ctnn/kernels/workspace.hpp>
