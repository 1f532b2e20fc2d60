// Readers of the plain mesh and point-cloud formats, from a file's bytes into the scene
// arrays. Each checks every count and index before using it, so a file that lies gives
// an error naming the problem, never an out-of-bounds access or an allocation sized by
// the lie. Errors name no file: load_scene adds it.
#pragma once

#include "engine/core/status.h"
#include "engine/scene/mesh.h"
#include "formats/file_io.h"

namespace scenezip {

Result<Mesh> decode_obj(const Bytes& bytes);
Result<Mesh> decode_off(const Bytes& bytes);
Result<Mesh> decode_ply_mesh(const Bytes& bytes);

Result<PointCloud> decode_ply_points(const Bytes& bytes);
Result<PointCloud> decode_pcd(const Bytes& bytes);
// Plain text with one point a line: "x y z" (.xyz), "x y z nx ny nz" (.xyzn) or
// "x y z r g b" with colours in [0,1] (.xyzrgb). Lines that do not start with the
// expected numbers are skipped, as other tools do (headers, comments).
enum class XyzColumns { kPositions, kNormals, kColors };
Result<PointCloud> decode_xyz(const Bytes& bytes, XyzColumns columns);
// Leica PTS: a point count, then "x y z [intensity] [r g b]" lines, colours 0-255.
Result<PointCloud> decode_pts(const Bytes& bytes);

// Shared by the readers: checks a mesh read from a file (finite positions, indices in
// range, attributes sized to match, at least one triangle).
Status check_read_mesh(const Mesh& mesh);
// Points without a finite position (organised clouds mark missing depth with NaN) are
// dropped with their attributes; an error when none is left.
Status drop_unmeasured_points(PointCloud& points);

}  // namespace scenezip
