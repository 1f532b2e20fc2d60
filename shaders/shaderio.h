// The one place where C++ and GLSL agree on binding numbers, workgroup sizes, push
// constants and the layout of every buffer. Included by shaders (GLSL) and by
// engine/gpu and engine/render (C++). Shaders never write a binding number or a
// workgroup size of their own (ctest 'shader_literals' checks); C++ binds each buffer
// by its binding constant and Context checks that every binding of the layout is given.
#ifndef SCENEZIP_SHADERIO_H
#define SCENEZIP_SHADERIO_H

#ifdef __cplusplus
#include <cstdint>
namespace scenezip::shaderio {
using uint = std::uint32_t;
#define SCZ_CONST inline constexpr uint
#define SCZ_FUNCTION inline constexpr
#else
#define SCZ_CONST const uint
#define SCZ_FUNCTION
#endif

// --- covariance.comp: 3D covariance and opacity from stored Gaussian parameters ------
SCZ_CONST kCovarianceWorkgroupSize = 256;
SCZ_CONST kCovarianceBindingLogScales = 0;   // float[3N]
SCZ_CONST kCovarianceBindingRotations = 1;   // float[4N], w x y z
SCZ_CONST kCovarianceBindingLogits = 2;      // float[N]
SCZ_CONST kCovarianceBindingCovariance = 3;  // float[6N]: xx xy xz yy yz zz
SCZ_CONST kCovarianceBindingOpacity = 4;     // float[N]
SCZ_CONST kCovarianceBindingCount = 5;

struct CovariancePush {
  uint count;        // Gaussians to process
  uint groups_x;     // workgroups along x; dispatches tile in 2D past 65,535 groups
  float scale_modifier;
  uint pad0;
};

// --- kmeans_*.comp: k-means assignment and Lloyd iterations (engine/gpu/kmeans_kernel) --
// One Lloyd iteration: kmeans_assign (nearest centroid per vector), a stable radix sort
// of vector indices by centroid (the radix_*.comp kernels), kmeans_update (one
// workgroup per centroid sums its run of the sorted order in a fixed order, so results
// never depend on scheduling), kmeans_refill (empty clusters, one workgroup).
SCZ_CONST kKMeansMaxDims = 64;              // floats per vector held by each assign invocation
SCZ_CONST kKMeansAssignWorkgroupSize = 256;  // one vector per invocation
SCZ_CONST kKMeansSharedFloats = 4096;        // centroid floats staged in shared memory at a time (16 KB)
SCZ_CONST kKMeansUpdateWorkgroupSize = 64;   // one workgroup per centroid
SCZ_CONST kKMeansRefillWorkgroupSize = 256;  // a single workgroup
SCZ_CONST kKMeansPlainAssign = 0xFFFFFFFFu;  // KMeansPush.iteration outside the Lloyd loop

// Slots of the control buffer (uint), written on the GPU so the loop needs no read-back.
SCZ_CONST kKMeansControlSortCount = 0;   // keys the radix passes sort (0 once converged)
SCZ_CONST kKMeansControlSortBlocks = 1;  // radix blocks (0 once converged)
SCZ_CONST kKMeansControlStopped = 2;     // 1 once an assignment repeated the previous one
SCZ_CONST kKMeansControlIterations = 3;  // Lloyd iterations completed
SCZ_CONST kKMeansControlChanged = 4;     // + iteration: nonzero when that assignment changed

// kmeans_assign.comp bindings.
SCZ_CONST kKMeansAssignBindingData = 0;        // float[count * dims]
SCZ_CONST kKMeansAssignBindingCentroids = 1;   // float[k * dims]
SCZ_CONST kKMeansAssignBindingAssignment = 2;  // uint[count]: read (previous) and written
SCZ_CONST kKMeansAssignBindingDistance = 3;    // float[count]: squared distance to it
SCZ_CONST kKMeansAssignBindingControl = 4;
SCZ_CONST kKMeansAssignBindingCount = 5;

// kmeans_update.comp bindings.
SCZ_CONST kKMeansUpdateBindingData = 0;
SCZ_CONST kKMeansUpdateBindingWeights = 1;      // float[count], >= 0
SCZ_CONST kKMeansUpdateBindingSortedKeys = 2;   // uint[count]: assignments, ascending
SCZ_CONST kKMeansUpdateBindingSortedIndex = 3;  // uint[count]: vector of each sorted key
SCZ_CONST kKMeansUpdateBindingCentroids = 4;
SCZ_CONST kKMeansUpdateBindingSizes = 5;        // uint[k]: vectors per cluster
SCZ_CONST kKMeansUpdateBindingControl = 6;
SCZ_CONST kKMeansUpdateBindingCount = 7;

// kmeans_refill.comp bindings.
SCZ_CONST kKMeansRefillBindingData = 0;
SCZ_CONST kKMeansRefillBindingWeights = 1;
SCZ_CONST kKMeansRefillBindingDistance = 2;
SCZ_CONST kKMeansRefillBindingSizes = 3;
SCZ_CONST kKMeansRefillBindingCentroids = 4;
SCZ_CONST kKMeansRefillBindingControl = 5;
SCZ_CONST kKMeansRefillBindingCount = 6;

struct KMeansPush {
  uint count;      // vectors
  uint dims;       // floats per vector, 1..kKMeansMaxDims
  uint k;          // centroids
  uint groups_x;   // workgroups along x (dispatches tile in 2D past the device limit)
  uint iteration;  // the Lloyd iteration recorded, or kKMeansPlainAssign
  uint pad0, pad1, pad2;
};


// --- field_*.comp: hash-grid neural field (engine/field, engine/gpu/field_kernels) -----
// A training step runs field_encode, field_linear per layer, field_loss, then per
// layer (last first) field_weight_grad + field_weight_reduce and field_linear_backward,
// field_encode_backward, field_adam and field_step, all recorded once and replayed.
// Every field kernel shares one binding layout (each declares the bindings it uses).
SCZ_CONST kFieldHashPrime0 = 1u;
SCZ_CONST kFieldHashPrime1 = 2654435761u;
SCZ_CONST kFieldHashPrime2 = 805459861u;
SCZ_CONST kFieldWorkgroupSize = 256;     // every field kernel: one invocation per item
SCZ_CONST kFieldMaxFeatures = 8;         // floats per hash entry
SCZ_CONST kFieldMaxWidth = 256;          // widest MLP layer (input included)
SCZ_CONST kFieldWeightGradChunk = 256;   // samples per partial weight-gradient sum
// The matrix-unit MLP (field_mlp_*_coop.comp, field_weight_grad_coop.comp), used where the
// device has VK_NV_cooperative_matrix with 16x16x16 half-precision tiles: each subgroup
// of kFieldCoopSubgroupSize lanes carries tiles of kFieldCoopTile rows through every
// layer, activations in shared memory as float16 (widths padded to the tile, at most
// kFieldCoopMaxWidth), weights staged as float16 in shared memory, float32 sums.
SCZ_CONST kFieldCoopTile = 16;             // rows, columns and depth of one matrix tile
SCZ_CONST kFieldCoopSubgroupSize = 32;     // lanes the kernels are written for
SCZ_CONST kFieldCoopWorkgroupSize = 128;   // fused forward / backward: 4 subgroups
SCZ_CONST kFieldCoopRows = 128;            // samples per fused workgroup
SCZ_CONST kFieldCoopMaxWidth = 64;         // widest padded layer (input included)
SCZ_CONST kFieldCoopMaxWeights = 12288;    // padded float16 weights of all layers in shared memory

SCZ_CONST kFieldBindingLevels = 0;       // uvec4[L]: resolution, offset, size, dense
SCZ_CONST kFieldBindingParams = 1;       // float[]: hash table, then each layer's weights [out][in]
SCZ_CONST kFieldBindingGradients = 2;    // float[]: same layout as params
SCZ_CONST kFieldBindingAdamM = 3;        // float[]: first moments
SCZ_CONST kFieldBindingAdamV = 4;        // float[]: second moments
SCZ_CONST kFieldBindingPositions = 5;    // float[3B]: unit cube
SCZ_CONST kFieldBindingDirections = 6;   // float[3B]: unit vectors (bound even when unused)
SCZ_CONST kFieldBindingTargets = 7;      // float[B * outputs]
SCZ_CONST kFieldBindingActivations = 8;  // float[]: each layer's input rows, then the raw outputs
SCZ_CONST kFieldBindingDeltas = 9;       // float[]: loss gradients, same layout as activations
SCZ_CONST kFieldBindingPartials = 10;    // float[chunks * weights of the largest layer]
SCZ_CONST kFieldBindingOutputs = 11;     // float[B * outputs]: activated outputs
SCZ_CONST kFieldBindingLosses = 12;      // float[B]: each sample's squared error summed over outputs
SCZ_CONST kFieldBindingControl = 13;     // uint[kFieldControlSlots]
SCZ_CONST kFieldBindingCount = 14;

SCZ_CONST kFieldControlStep = 0;         // Adam steps taken
SCZ_CONST kFieldControlSlots = 4;

SCZ_CONST kFieldFlagRelu = 1u;           // field_linear: ReLU on the output; backward: mask by input > 0
SCZ_CONST kFieldFlagLoss = 2u;           // field_loss: targets present, write losses and deltas
SCZ_CONST kFieldActivationNone = 0u;
SCZ_CONST kFieldActivationSigmoid = 1u;

struct FieldPush {
  uint batch;          // samples
  uint groups_x;       // workgroups along x (2D tiling past the device limit)
  uint in_dims;        // layer input width (encode: the encoded row width)
  uint out_dims;       // layer output width
  uint in_offset;      // float offset of the layer's input rows in activations / deltas
  uint out_offset;     // float offset of its output rows
  uint weight_offset;  // first weight of the layer in params
  uint flags;          // kFieldFlag*
  uint count;          // items of this dispatch: parameters (Adam), chunks (gradients)
  uint levels;         // hash levels
  uint features;       // floats per entry
  int direction_degree;  // -1: no direction encoding
  uint output_activation;
  float learning_rate;
  float beta1;
  float beta2;
  float epsilon;
  uint grad_dims;      // backward: input columns that need gradients
  uint hidden_width;   // fused MLP kernels: the layers' shapes
  uint hidden_layers;
  uint capacity;       // rows per layer in activations / deltas
  uint pad0, pad1, pad2;
};

// --- nerf_*.comp: neural radiance fields on the hash-grid field (engine/gpu/nerf_trainer) --
// The field's 4 raw outputs per sample are density (sigma = exp(min(raw, 15)), per unit
// of the scene box's side) and colour (sigmoid). A training step: nerf_march draws rays
// (image and pixel from the PCG hash of seed, step and ray), clips them to the unit
// cube, steps through cells the occupancy grid marks, and claims samples with an atomic
// counter (a ray that no longer fits is dropped); the field's forward pass; nerf_composite
// composites front to back over the ray's background (a random colour per ray, from the
// hash, unless random_background is 0) against the photograph's premultiplied colour
// over that same background, and writes each sample's gradient into the field's output
// deltas; nerf_rays adapts the ray count to fill the batch; the field's backward pass and
// Adam. Every grid_interval-th step first re-estimates a slice of the grid and decays
// every cell (nerf_grid_sample, the field's forward pass, nerf_grid_update), then
// nerf_grid_mean sets the threshold the march uses: min(density_threshold, the grid's
// mean), Instant-NGP's rule, so a young field whose density is low everywhere still
// has cells to sample.
SCZ_CONST kNerfWorkgroupSize = 256;
SCZ_CONST kNerfOutputs = 4;              // raw density, then raw r g b
SCZ_CONST kNerfMaxSamplesPerRay = 1024;
SCZ_CONST kNerfBindingCameras = 0;       // vec4[4 * images]: rows of camera-to-unit-cube (w: origin), then fx fy cx cy
SCZ_CONST kNerfBindingPixels = 1;        // uint[images * width * height]: RGBA8, colour premultiplied by alpha
SCZ_CONST kNerfBindingGrid = 2;          // float[G^3]: density estimate per cell, x fastest
SCZ_CONST kNerfBindingRays = 3;          // uvec4[max rays]: first sample, samples, image, pixel
SCZ_CONST kNerfBindingRayLoss = 4;       // float[max rays]: squared error summed over r g b
SCZ_CONST kNerfBindingSteps = 5;         // float[capacity]: each sample's step length
SCZ_CONST kNerfBindingPositions = 6;     // the field trainer's positions
SCZ_CONST kNerfBindingDirections = 7;    // the field trainer's directions
SCZ_CONST kNerfBindingOutputs = 8;       // the field trainer's outputs (raw)
SCZ_CONST kNerfBindingDeltas = 9;        // the field trainer's deltas (raw outputs at delta_offset)
SCZ_CONST kNerfBindingFieldControl = 10; // the field trainer's control (Adam step)
SCZ_CONST kNerfBindingControl = 11;      // uint[kNerfControlSlots]
SCZ_CONST kNerfBindingKeep = 12;         // uint[ceil(entries / 32)]: bit e set where hash entry e may be non-zero
SCZ_CONST kNerfBindingFieldParams = 13;  // the field trainer's parameters (the hash table first)
SCZ_CONST kNerfBindingCount = 14;

SCZ_CONST kNerfControlSamples = 0;       // samples claimed this step
SCZ_CONST kNerfControlRequested = 1;     // samples rays asked for, dropped ones included
SCZ_CONST kNerfControlRays = 2;          // rays nerf_march draws this step
SCZ_CONST kNerfControlThreshold = 3;     // float bits: the density threshold the march uses
SCZ_CONST kNerfControlSlots = 4;

struct NerfPush {
  uint groups_x;
  uint max_rays;
  uint capacity;        // samples per batch
  uint images;
  uint width;
  uint height;
  uint grid_resolution; // G
  uint seed;
  uint delta_offset;    // float offset of the raw outputs in the field's deltas
  uint cells_per_update;
  uint grid_interval;   // steps between grid updates
  uint max_samples;     // per ray
  float min_step;       // unit-cube units
  float max_step;
  float cone;           // step = clamp(t * cone, min_step, max_step)
  float density_threshold;
  float decay;
  float background_r;
  float background_g;
  float background_b;
  uint random_background;  // 1: each ray composites over its own random colour
  uint hash_entries;    // table entries (nerf_prune.comp)
  uint features;        // floats per entry
};

// nerf_render.comp: one invocation per pixel marches the ray, evaluates the field in the
// shader (hash encoding, MLP of hidden width <= kNerfRenderMaxWidth), composites front to
// back and stops once transmittance falls under kNerfMinTransmittance. The C++ twin is
// field::render_nerf_reference.
SCZ_CONST kNerfRenderWorkgroupSize = 64;
SCZ_CONST kNerfRenderMaxWidth = 64;
SCZ_CONST kNerfRenderBindingLevels = 0;  // uvec4[L] as kFieldBindingLevels
SCZ_CONST kNerfRenderBindingParams = 1;  // float[]: as kFieldBindingParams
SCZ_CONST kNerfRenderBindingGrid = 2;    // float[G^3]
SCZ_CONST kNerfRenderBindingImage = 3;   // vec4[width * height]
SCZ_CONST kNerfRenderBindingCount = 4;
// nerf_contribution.comp: the same march, and each sample's compositing weight
// (transmittance x alpha) times each cell corner's trilinear weight added to that hash
// entry's float (what the entry's features can change in the picture; pruning ranks
// entries by it). The C++ twin is field::nerf_contribution_reference.
SCZ_CONST kNerfRenderBindingContribution = 4;  // float[table entries]
SCZ_CONST kNerfContributionBindingCount = 5;

struct NerfRenderPush {
  float rows[12];        // camera-to-unit-cube rows (3 rotation, origin)
  float fx, fy, cx, cy;
  uint width;
  uint height;
  uint grid_resolution;
  uint levels;
  uint features;
  int direction_degree;
  uint hidden_width;
  uint hidden_layers;
  uint max_samples;
  float min_step;
  float max_step;
  float cone;
  float density_threshold;
  float background_r;
  float background_g;
  float background_b;
};

// --- field_colour_sample.comp: training batches of a Gaussian scene's colour field ---
// Sample i of step s hashes h0 = pcg(pcg(seed) ^ (s * batch + i)), h1 = pcg(h0),
// h2 = pcg(h1): Gaussian h0 mod N; with viewpoints, the direction from viewpoint h1 mod V
// to the Gaussian (as the renderer looks at it), else a direction uniform on the sphere
// from h1 and h2. The target is the colour the Gaussian's SH gives that way (all of it,
// or only bands 1..3 when the DC stays per Gaussian).
SCZ_CONST kColourSampleBindingControl = 0;    // the field's control buffer (step)
SCZ_CONST kColourSampleBindingGaussians = 1;  // vec4[2N]: contracted x y z, 0; world x y z, 0
SCZ_CONST kColourSampleBindingSh = 2;         // float[N * 48]: per channel 16 coefficients, DC first
SCZ_CONST kColourSampleBindingViewpoints = 3; // vec4[V]: world x y z, 0 (a dummy when V = 0)
SCZ_CONST kColourSampleBindingPositions = 4;
SCZ_CONST kColourSampleBindingDirections = 5;
SCZ_CONST kColourSampleBindingTargets = 6;
SCZ_CONST kColourSampleBindingCount = 7;
SCZ_CONST kColourTargetFull = 0u;             // max(0, 0.5 + all bands)
SCZ_CONST kColourTargetViewDependent = 1u;    // bands 1..sh_degree only

struct ColourSamplePush {
  uint batch;
  uint groups_x;
  uint gaussians;
  uint sh_degree;
  uint target;   // kColourTarget*
  uint seed;
  uint viewpoints;  // V
  uint pad0;
};

// --- Gaussian splatting: preprocess, radix sort, tile ranges, rasterize --------------
SCZ_CONST kTileSize = 16;                // pixels per tile side; one raster workgroup per tile
// The raster's workgroup covers its tile in blocks of 8x4 pixels, one 32-wide subgroup on
// common GPUs each: a splat that reaches none of a block's pixels costs that block one
// shared-memory read instead of 32 evaluations.
SCZ_CONST kRasterBlockWidth = 8;
SCZ_CONST kRasterBlockHeight = 4;
SCZ_CONST kRasterBlockPixels = 32;       // kRasterBlockWidth * kRasterBlockHeight
SCZ_CONST kRasterBlocksPerTile = 8;      // (kTileSize / kRasterBlockWidth) * (kTileSize / kRasterBlockHeight)
SCZ_CONST kRasterWorkgroupSize = 256;    // kTileSize * kTileSize, one pixel per invocation
// A tile instance's key: the tile index in the low bits (the only ones sorted), the mask of
// the tile's 8x4 blocks the splat reaches (splat_tile_test.glsl's blocks_reached) above.
SCZ_CONST kTileKeyTileMask = 0xFFFFFFu;
SCZ_CONST kTileKeyBlocksShift = 24;
// Tile instances from which a frame's raster takes the queued walk (splat_raster.glsl)
// where the block kernels run. On the H200 it won from 3.1 M instances on, lost 4% of the
// raster on one frame (the 32-cell city from inside, 8.3 M) and tied at 1 M: frames that
// light keep the plain walk (BENCHMARKS, twelfth round).
SCZ_CONST kQueuedWalkInstances = 2000000u;
SCZ_CONST kSplatWorkgroupSize = 256;     // preprocess and per-instance kernels
// Tiles of a splat's rectangle up to which one thread walks it alone (the preprocess's
// count, the emit); the subgroup walks larger ones together, a tile per invocation.
SCZ_CONST kSplatOwnTiles = 8;
SCZ_CONST kRadixBins = 256;              // 8-bit digits
SCZ_CONST kRadixWorkgroupSize = 256;
// Keys per invocation of a radix block: a specialization constant (kRadixItemsConstantId)
// of the radix and emission kernels. 8 by default (blocks of 2,048 keys, the scatter in
// 29 KB of shared memory, which every device here has); the splat renderer asks for
// kRadixWideItemsPerThread where the device has kRadixWideSharedBytes of shared memory
// (the scatter then takes 45 KB): 4,096-key blocks made each sort pass on the H200 about
// a sixth faster (BENCHMARKS, seventh round). C++ sees the default.
SCZ_CONST kRadixItemsConstantId = 0;
SCZ_CONST kRadixWideItemsPerThread = 16;
SCZ_CONST kRadixWideSharedBytes = 49152;
#ifdef __cplusplus
SCZ_CONST kRadixItemsPerThread = 8;
SCZ_CONST kRadixBlockSize = 2048;
#else
layout(constant_id = kRadixItemsConstantId) const uint kRadixItemsPerThread = 8;
const uint kRadixBlockSize = kRadixItemsPerThread * kRadixWorkgroupSize;
#endif
// The depth sort's key (splat_preprocess.comp): camera z's float bits less znear's, the
// lowest FrameParams::depth_key_shift bits dropped, so three 8-bit passes sort it instead
// of four. The renderer picks the shift per frame as the fewest bits that keep every depth
// from znear to the scene's farthest point within kDepthKeyBits: order is kept to
// 2^-(23 - shift) of the depth (2^-19 for a far-to-near ratio of 2^17), whatever the
// scene's units. (A fixed shift once clamped every depth past znear * 2^16 to one key, so
// scenes seen from afar drew in the GPU's append order.) The
// blend-weight pass (splat_importance.comp), compared Gaussian by Gaussian with its C++
// twin, sorts the exact depths instead (FrameParams::exact_depth).
SCZ_CONST kDepthKeyBits = 24;
// The depth sort's values: the Gaussian's index in the low kDepthValueIndexBits, its tile
// count above them, clamped to kDepthValueCountLimit (where splat_emit_count.comp reads
// the whole count from tile_counts). The emit count then reads the counts in sorted
// order instead of gathering them from all over tile_counts. Clouds of more than 2^24
// Gaussians keep whole indices and gather every count (depth_values_packed).
SCZ_CONST kDepthValueIndexBits = 24;
SCZ_CONST kDepthValueCountLimit = 255;
SCZ_FUNCTION bool depth_values_packed(uint gaussians) { return gaussians <= (1u << kDepthValueIndexBits); }
// The Gaussian a depth sort value names, in a cloud of `gaussians`.
SCZ_FUNCTION uint depth_value_gaussian(uint value, uint gaussians) {
  return depth_values_packed(gaussians) ? value & ((1u << kDepthValueIndexBits) - 1u) : value;
}

// The SH buffer of splat_preprocess.comp: binary16 values, two to a uint (the first in
// the low half), laid out coefficient by coefficient: for each of the `coeffs` =
// (degree + 1)^2 coefficients (the DC first, then the higher bands in INRIA's f_rest
// order) and each channel R G B, one value per Gaussian, the count rounded up to even.
// FrameParams.sh_coeffs holds `coeffs`. A subgroup's Gaussians read each coefficient
// from one contiguous run instead of one record apiece, and half precision halves the
// largest buffer and the preprocess's largest read; colours move by about 2^-11 of their
// size.
SCZ_FUNCTION uint sh_half_index(uint gaussian, uint channel, uint coefficient, uint gaussians) {
  return (coefficient * 3 + channel) * ((gaussians + 1u) & ~1u) + gaussian;
}

// Bindings of splat_preprocess.comp.
SCZ_CONST kPreprocessBindingParams = 0;       // FrameParams
SCZ_CONST kPreprocessBindingPositions = 1;    // float[3N], world space
SCZ_CONST kPreprocessBindingLogScales = 2;    // float[3N]
SCZ_CONST kPreprocessBindingRotations = 3;    // vec4[N], w x y z (normalized in the shader)
SCZ_CONST kPreprocessBindingLogits = 4;       // float[N], logit opacities
SCZ_CONST kPreprocessBindingSh = 5;           // the SH records above
SCZ_CONST kPreprocessBindingSplats = 6;       // uvec4[3N]: each Splat2D as splat_record.glsl lays it out
SCZ_CONST kPreprocessBindingCounters = 7;     // uint[kCounterSlots]
SCZ_CONST kPreprocessBindingDepthKeys = 8;    // uint[N]: float bits of the depth of each visible Gaussian
SCZ_CONST kPreprocessBindingDepthValues = 9;  // uint[N]: its index and tile count (kDepthValueIndexBits)
SCZ_CONST kPreprocessBindingTileCounts = 10;  // uint[N]: tiles each Gaussian touches
SCZ_CONST kPreprocessBindingCount = 11;


// The radix sort runs a sort of up to kRadixMaxPasses 8-bit passes in 1 + passes
// dispatches: radix_histogram.comp counts every pass's digits over all keys at once, then
// each pass's radix_scatter.comp finds where its block's keys of each digit go by looking
// back at the blocks before it (a chained scan with decoupled look-back): blocks take
// their index from a counter as they start, so the blocks a block waits for are running.
// A sort's state (kRadixStateWords, zero before the histogram): per pass, the counter
// handing out block indices and the digit totals.
SCZ_CONST kRadixMaxPasses = 4;
SCZ_CONST kRadixStateBlockCounters = 0;               // uint[kRadixMaxPasses]
SCZ_CONST kRadixStateDigitTotals = kRadixMaxPasses;   // uint[kRadixMaxPasses * kRadixBins]
SCZ_CONST kRadixStateWords = kRadixMaxPasses + kRadixMaxPasses * kRadixBins;
// A pass's look-back words, one per block and digit (block * kRadixBins + digit), zero
// until the block publishes: its count of the digit (kRadixLookbackAggregate), later
// that count plus every earlier block's (kRadixLookbackPrefix), in the low 30 bits.
SCZ_CONST kRadixLookbackAggregate = 0x40000000u;
SCZ_CONST kRadixLookbackPrefix = 0x80000000u;
SCZ_CONST kRadixLookbackStatusMask = 0xC0000000u;
SCZ_CONST kRadixLookbackValueMask = 0x3FFFFFFFu;
SCZ_CONST kRadixMaxKeys = 0x40000000u;                // keys of one sort, below the value mask

// Bindings of radix_histogram.comp.
SCZ_CONST kHistogramBindingCounters = 0;
SCZ_CONST kHistogramBindingKeys = 1;      // uint[n]
SCZ_CONST kHistogramBindingState = 2;     // uint[kRadixStateWords]: the digit totals are summed here
SCZ_CONST kHistogramBindingLookback = 3;  // uint[kRadixBins * blocks]: the first pass's, zeroed here
SCZ_CONST kHistogramBindingCount = 4;

// Bindings of radix_scatter.comp; the values are the payload moved with the keys.
SCZ_CONST kScatterBindingCounters = 0;
SCZ_CONST kScatterBindingState = 1;
SCZ_CONST kScatterBindingLookback = 2;      // this pass's look-back words
SCZ_CONST kScatterBindingLookbackNext = 3;  // the next pass's, zeroed here
SCZ_CONST kScatterBindingKeysIn = 4;
SCZ_CONST kScatterBindingKeysOut = 5;
SCZ_CONST kScatterBindingValuesIn = 6;
SCZ_CONST kScatterBindingValuesOut = 7;
SCZ_CONST kScatterBindingTileRanges = 8;  // the tile ranges (below), where RadixPush.tile_ranges is set
SCZ_CONST kScatterBindingCount = 9;
// radix_scatter.comp ranks a block's keys in segments of kRadixSegmentWidth invocations,
// each taking kRadixItemsPerThread steps of one key per invocation.
SCZ_CONST kRadixSegmentWidth = 32;
SCZ_CONST kRadixSegments = 8;  // kRadixWorkgroupSize / kRadixSegmentWidth

// Bindings of splat_emit_count.comp.
SCZ_CONST kEmitCountBindingCounters = 0;
SCZ_CONST kEmitCountBindingSorted = 1;       // uint[visible]: depth sort values, front to back
SCZ_CONST kEmitCountBindingTileCounts = 2;
SCZ_CONST kEmitCountBindingItemOffsets = 3;  // uint[visible]: offset within the block
SCZ_CONST kEmitCountBindingBlockSums = 4;    // uint[blocks]: the block's first instance
SCZ_CONST kEmitCountBindingParams = 5;
SCZ_CONST kEmitCountBindingLookback = 6;     // look-back words (word block * kRadixBins), zero before
SCZ_CONST kEmitCountBindingCount = 7;

// Bindings of splat_emit.comp.
SCZ_CONST kEmitBindingParams = 0;
SCZ_CONST kEmitBindingCounters = 1;
SCZ_CONST kEmitBindingSorted = 2;
SCZ_CONST kEmitBindingSplats = 3;
SCZ_CONST kEmitBindingItemOffsets = 4;
SCZ_CONST kEmitBindingBlockOffsets = 5;  // each block's first instance (splat_emit_count.comp)
SCZ_CONST kEmitBindingKeysTile = 6;      // uint[capacity]: tile index of each instance
SCZ_CONST kEmitBindingValues = 7;        // uint[capacity]: its Gaussian
SCZ_CONST kEmitBindingCount = 8;

// Where each tile's instances lie once sorted: uint[2 * tiles], first the index of each
// tile's first instance (filled with kEmptyTileStart before the frame), then one past each
// tile's last (filled with 0), so a tile without instances reads as an empty range.
// Written by the last pass of the tile sort (radix_scatter.comp).
SCZ_CONST kEmptyTileStart = 0xFFFFFFFFu;

// Binding of subgroup_probe.comp: uint[kRasterWorkgroupSize + 1] counts.
SCZ_CONST kSubgroupProbeBindingSlots = 0;

// Bindings of splat_raster.comp.
SCZ_CONST kRasterBindingParams = 0;
SCZ_CONST kRasterBindingRanges = 1;
SCZ_CONST kRasterBindingValues = 2;
SCZ_CONST kRasterBindingSplats = 3;
SCZ_CONST kRasterBindingImage = 4;          // vec4[W*H]: rgb, alpha
// An opaque frame drawn first (FrameParams.use_underlay), dummies otherwise.
SCZ_CONST kRasterBindingUnderlayColor = 5;  // vec4[W*H]
SCZ_CONST kRasterBindingUnderlayDepth = 6;  // float[W*H], camera z
SCZ_CONST kRasterBindingKeysTile = 7;       // the sorted instance keys: their block masks
SCZ_CONST kRasterBindingCount = 8;

// Slots of the counters buffer, written on the GPU and read by indirect dispatches.
// Two sorts run per frame: visible Gaussians by depth, then tile instances by tile.
SCZ_CONST kCounterInstances = 0;           // tile instances needed (may exceed capacity)
SCZ_CONST kCounterVisible = 1;             // Gaussians that survived culling
SCZ_CONST kCounterEmitCountBlocks = 2;     // blocks splat_emit_count.comp has handed out
SCZ_CONST kCounterInstanceSortArgs = 4;    // 3 uints: radix dispatch over instances
SCZ_CONST kCounterInstanceArgs = 8;        // 3 uints: one thread per instance
SCZ_CONST kCounterInstanceBlocks = 12;     // radix blocks of instances
SCZ_CONST kCounterInstanceCount = 13;      // instances sorted (clamped to capacity)
SCZ_CONST kCounterVisibleSortArgs = 16;    // 3 uints: radix dispatch over visible Gaussians
SCZ_CONST kCounterVisibleBlocks = 20;      // radix blocks of visible Gaussians
SCZ_CONST kCounterVisibleCount = 21;       // visible Gaussians sorted
SCZ_CONST kCounterVisibleArgs = 24;        // 3 uints: one thread per visible Gaussian
// The raster's two block kernels, one of them sized to every tile and the other to none
// (FrameParams::queued_walk): the main walk's, then the queued walk's.
SCZ_CONST kCounterRasterArgs = 28;         // 3 uints
SCZ_CONST kCounterRasterQueuedArgs = 32;   // 3 uints
SCZ_CONST kCounterSlots = 36;

// Per-frame camera and scene constants (a storage buffer, std430).
struct FrameParams {
  float view[16];        // world to camera, column-major; camera axes x right, y down, z forward
  float camera_pos[4];   // world-space centre, w unused
  float fx, fy, cx, cy;  // pixels; pixel centres at (i + 0.5, j + 0.5)
  float tan_fovx, tan_fovy, znear, scale_modifier;
  float background[4];
  uint width, height, tiles_x, tiles_y;
  uint count;            // Gaussians
  uint sh_degree;        // 0..3 evaluated
  uint sh_coeffs;        // coefficients per channel stored in the SH buffer
  uint instance_capacity;
  uint groups_x;         // preprocess workgroups along x (2D tiling past the limit)
  uint use_underlay;     // 1: blend over an opaque frame (colour + depth) instead of the background
  uint exact_depth;      // 1: the depth sort takes camera z's whole float bits (4 passes), not kDepthKeyBits
  uint depth_key_shift;  // low bits of (depth - znear)'s float bits dropped from the depth key
  uint max_groups_x;     // the device's workgroup-count limit along x: indirect dispatches tile past it
  uint queued_walk;      // frames with at least this many tile instances take splat_raster_queued; 0: none
};

// A projected Gaussian, what the rasterizer reads (48 bytes; in GPU buffers laid out as
// splat_record.glsl says).
struct Splat2D {
  float mean_x, mean_y, depth, opacity;
  float conic_a, conic_b, conic_c;  // inverse 2D covariance [a b; b c]
  float r, g, b;
  uint rect_min;  // first tile of the rectangle: x | y << 16
  uint rect_max;  // one past its last tile, x | y << 12 (splat_tile_test.glsl's rect_end),
                  // and above bit 24 which of its tiles the splat touches, row by row,
                  // where it has at most kSplatOwnTiles (rect_touched)
};

struct RadixPush {
  uint shift;          // bit offset of this pass's digit (the histogram: of the first pass's)
  uint count_slot;     // counters slot holding the number of keys
  uint blocks_slot;    // counters slot holding the number of blocks
  uint tile_ranges;    // 0, or the tile count: the pass puts tile keys in their final order
                       // and records the tile ranges (kScatterBindingTileRanges)
  uint pass;           // the scatter: which pass of the sort (its state); the histogram: how many
  // The histogram of the depth sort: the Gaussian count. That histogram is dispatched
  // over every Gaussian before the visible count is known; it reads kCounterVisible
  // (clamped to this) and its first workgroup writes the visible counts and dispatch
  // sizes (kCounterVisibleCount and on). 0 elsewhere.
  uint visible_limit;
  uint max_groups_x;   // with visible_limit: the device's limit on workgroups along x
  uint pad0;
};

// --- splat_importance.comp: per-Gaussian blending weights summed over frames ---------
// Weights are added as fixed point, alpha * T * scale rounded per pixel: a tile's 256
// pixels sum below 2^30 in one uint, and the 64-bit totals hold 2^42 pixels' worth
// (over 500,000 views at 4K).
SCZ_CONST kImportanceFixedScale = 4194304u;  // 2^22
SCZ_CONST kImportanceBindingParams = 0;
SCZ_CONST kImportanceBindingRanges = 1;
SCZ_CONST kImportanceBindingValues = 2;
SCZ_CONST kImportanceBindingSplats = 3;
SCZ_CONST kImportanceBindingCounters = 4;
SCZ_CONST kImportanceBindingSums = 5;      // uvec2[N]: low, high word of each Gaussian's sum
SCZ_CONST kImportanceBindingCount = 6;

// --- Meshes and points: compute rasterization through a depth + visibility buffer ---
// Pass 1 keeps the nearest depth per pixel (atomicMin on the float bits, which order as
// unsigned integers for positive depths); pass 2 recomputes the same depth and keeps the
// lowest primitive id among those equal to it; a resolve pass shades each pixel.
#ifdef __cplusplus
#define SCZ_CONST_FLOAT inline constexpr float
#else
#define SCZ_CONST_FLOAT const float
#endif
SCZ_CONST kGeometryWorkgroupSize = 256;    // per-vertex, per-triangle and per-point kernels
SCZ_CONST kResolveTileSize = 16;           // resolve workgroups are 16x16 pixels
SCZ_CONST kDepthEmpty = 0x7F800000u;       // float bits of +infinity: nothing drawn
SCZ_CONST kIdEmpty = 0xFFFFFFFFu;          // visibility buffer: nothing drawn
SCZ_CONST kNoTexture = 0xFFFFFFFFu;        // material without a base-colour texture
SCZ_CONST kRasterPassDepth = 0;            // GeometryPush::pass
SCZ_CONST kRasterPassVisibility = 1;
// Headlight shading: colour * (ambient + diffuse * |n . ray|); |.| lights both sides,
// since scanned meshes rarely have consistent winding.
SCZ_CONST_FLOAT kShadeAmbient = 0.25f;
SCZ_CONST_FLOAT kShadeDiffuse = 0.75f;
// Colour of meshes without material or vertex colours, and of points without colours:
// a light grey that stays visible on both white and black backgrounds.
SCZ_CONST_FLOAT kDefaultGrey = 0.8f;

// Bindings of mesh_vertex.comp.
SCZ_CONST kMeshVertexBindingParams = 0;     // GeometryParams
SCZ_CONST kMeshVertexBindingPositions = 1;  // float[3V], world space
SCZ_CONST kMeshVertexBindingProjected = 2;  // vec4[V]: u, v (pixels), z (camera), 1/z
SCZ_CONST kMeshVertexBindingCount = 3;

// Bindings of mesh_raster.comp (both passes).
SCZ_CONST kMeshRasterBindingParams = 0;
SCZ_CONST kMeshRasterBindingIndices = 1;    // uint[3T]
SCZ_CONST kMeshRasterBindingProjected = 2;
SCZ_CONST kMeshRasterBindingDepth = 3;      // uint[W*H], float bits of camera z
SCZ_CONST kMeshRasterBindingIds = 4;        // uint[W*H], triangle id
SCZ_CONST kMeshRasterBindingBig = 5;        // uint[T]: triangles left to the big-triangle path
SCZ_CONST kMeshRasterBindingBigArgs = 6;    // uint[4]: big count, then its dispatch x, y, z
SCZ_CONST kMeshRasterBindingCount = 7;
// A thread walks the pixels of its triangle's box one by one, so a triangle whose box
// holds more pixel centres than this goes to a workgroup of its own instead, its
// threads splitting the box.
SCZ_CONST kBigTriangleBox = 64;

// Bindings of mesh_resolve.comp.
SCZ_CONST kMeshResolveBindingParams = 0;
SCZ_CONST kMeshResolveBindingIndices = 1;
SCZ_CONST kMeshResolveBindingProjected = 2;
SCZ_CONST kMeshResolveBindingPositions = 3;
SCZ_CONST kMeshResolveBindingNormals = 4;     // float[3V] or a dummy
SCZ_CONST kMeshResolveBindingTexcoords = 5;   // float[2V] or a dummy
SCZ_CONST kMeshResolveBindingColors = 6;      // float[3V] or a dummy
SCZ_CONST kMeshResolveBindingTriangleMaterial = 7;  // uint[T], index into materials
SCZ_CONST kMeshResolveBindingMaterials = 8;   // MeshMaterial[M + 1], the last one the default
SCZ_CONST kMeshResolveBindingTextures = 9;    // TextureSlot[]
SCZ_CONST kMeshResolveBindingTexels = 10;     // uint[], RGBA8 packed r | g << 8 | b << 16 | a << 24
SCZ_CONST kMeshResolveBindingIds = 11;
SCZ_CONST kMeshResolveBindingImage = 12;      // vec4[W*H]: rgb, alpha 1 where drawn
SCZ_CONST kMeshResolveBindingCount = 13;

// Bindings of point_raster.comp (both passes).
SCZ_CONST kPointRasterBindingParams = 0;
SCZ_CONST kPointRasterBindingPositions = 1;  // float[3N], finite points only
SCZ_CONST kPointRasterBindingDepth = 2;
SCZ_CONST kPointRasterBindingIds = 3;        // point id
SCZ_CONST kPointRasterBindingCount = 4;

// Bindings of point_resolve.comp.
SCZ_CONST kPointResolveBindingParams = 0;
SCZ_CONST kPointResolveBindingColors = 1;    // float[3N] or a dummy
SCZ_CONST kPointResolveBindingNormals = 2;   // float[3N] or a dummy
SCZ_CONST kPointResolveBindingIds = 3;
SCZ_CONST kPointResolveBindingImage = 4;
SCZ_CONST kPointResolveBindingCount = 5;

// Per-frame constants of the mesh and point kernels (a storage buffer, std430).
struct GeometryParams {
  float view[16];        // world to camera, column-major; x right, y down, z forward
  float fx, fy, cx, cy;  // pixels; pixel centres at (i + 0.5, j + 0.5)
  float znear;           // primitives with a vertex at z <= znear are dropped
  uint width, height;
  uint vertex_count;     // mesh vertices, or points
  uint primitive_count;  // triangles, or points
  uint vertex_groups_x;     // workgroups along x of the per-vertex pass (2D past the limit)
  uint primitive_groups_x;  // same for the per-triangle or per-point passes
  uint point_size;       // side of a point's pixel square
  uint has_normals, has_texcoords, has_colors;
  uint material_count;   // materials, not counting the default one after them
  float background[4];
  uint big_group_cap;    // most workgroups one big-triangle dispatch may have
};

struct GeometryPush {
  uint pass;  // kRasterPassDepth or kRasterPassVisibility
  uint big;   // mesh_raster.comp: 0 a thread per triangle, 1 a workgroup per big triangle
};

struct MeshMaterial {
  float base_color[4];
  uint texture;  // index into the texture table, or kNoTexture
  uint pad0, pad1, pad2;
};

// Where one texture's texels start in the shared texel buffer.
struct TextureSlot {
  uint offset;  // in texels
  uint width, height;
  uint pad0;
};
#undef SCZ_CONST_FLOAT

// --- view_compose.comp: the viewer's picture from one or two rendered frames ---------
// One invocation per pixel packs the colour shown (split view, difference heat map or
// one frame) as 8-bit for the swapchain, and each workgroup sums the squared error of
// the two frames (values clamped to [0,1], as psnr() in engine/render/image.h) for the
// live PSNR. The C++ twin is viewer/compose.h.
SCZ_CONST kComposeWorkgroupSize = 256;
SCZ_CONST kComposeBindingFirst = 0;      // vec4[W*H]: the first file's frame
SCZ_CONST kComposeBindingSecond = 1;     // vec4[W*H]: the second file's (the first again with one file)
SCZ_CONST kComposeBindingOutput = 2;     // uint[W*H]: bytes packed per ComposePush::bgra
SCZ_CONST kComposeBindingErrorSums = 3;  // float[workgroups]: squared error over the group's pixels
SCZ_CONST kComposeBindingCount = 4;
SCZ_CONST kComposeModeSplit = 0;       // the first frame left of the divider, the second from it on
SCZ_CONST kComposeModeDifference = 1;  // heat map of the mean absolute difference
SCZ_CONST kComposeModeFirst = 2;
SCZ_CONST kComposeModeSecond = 3;

struct ComposePush {
  uint width, height;
  uint mode;        // kComposeMode*
  uint divider;     // first column of the second frame in split mode
  uint bgra;        // 1: bytes B, G, R, A in memory (B8G8R8A8 swapchains); 0: R, G, B, A
  float heat_scale;  // difference at the top of the heat ramp (black, red, yellow, white)
  uint groups_x;    // workgroups along x; dispatches tile in 2D past the device limit
  uint pad0;
};

#ifdef __cplusplus
// std430 arrays of these structs have no padding between elements; C++ must agree.
static_assert(sizeof(Splat2D) == 48);
static_assert(kRasterBlockPixels == kRasterBlockWidth * kRasterBlockHeight);
static_assert(kRasterBlocksPerTile == (kTileSize / kRasterBlockWidth) * (kTileSize / kRasterBlockHeight));
static_assert(kRasterBlocksPerTile <= 32 - kTileKeyBlocksShift, "the block mask fits above the tile index");
static_assert((16384 / kTileSize) * (16384 / kTileSize) <= kTileKeyTileMask + 1, "tile indices of the largest image fit");
static_assert(kRasterWorkgroupSize == kTileSize * kTileSize);
static_assert(kDepthKeyBits % 8 == 0 && kDepthKeyBits <= 32);
static_assert(kRadixSegments * kRadixSegmentWidth == kRadixWorkgroupSize);
static_assert(kRadixBins == kRadixWorkgroupSize, "radix shaders give each invocation one digit");
static_assert(kRadixBlockSize == kRadixWorkgroupSize * kRadixItemsPerThread);
static_assert(kRadixItemsPerThread % 8 == 0 && kRadixWideItemsPerThread % 8 == 0, "radix_histogram.comp loads keys eight at a time");
static_assert(kSplatOwnTiles <= 8, "a small splat's touched tiles fit in the top byte of Splat2D::rect_max");
static_assert(16384 / kTileSize < 4096, "tile coordinates fit in the 12 bits of Splat2D::rect_max");
static_assert(kSplatWorkgroupSize == kRadixWorkgroupSize, "splat_emit_count.comp lays out a radix block a workgroup");
static_assert(sizeof(MeshMaterial) == 32);
static_assert(sizeof(TextureSlot) == 16);
}  // namespace scenezip::shaderio
#endif
#undef SCZ_CONST
#undef SCZ_FUNCTION
#endif  // SCENEZIP_SHADERIO_H
