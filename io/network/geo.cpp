#include "io/network/geo.hpp"

#include <proj.h>

#include <cmath>
#include <cstdio>

#include "io/network/road_tags.hpp"

namespace swarm::io {

struct GeoProjection::Impl {
    PJ_CONTEXT* ctx = nullptr;
    PJ* pj = nullptr;
    ~Impl() {
        if (pj != nullptr) {
            proj_destroy(pj);
        }
        if (ctx != nullptr) {
            proj_context_destroy(ctx);
        }
    }
};

namespace {

std::string exact(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

}  // namespace

GeoProjection::GeoProjection(GeoOrigin origin) : origin_(origin), impl_(std::make_unique<Impl>()) {
    // x = R (lon - lon0) cos(lat0), y = R (lat - lat0) on the loaders' sphere; +over: no
    // wrapping of longitudes at +-180 around lon0
    definition_ = "+proj=eqc +lat_ts=" + exact(origin.lat0) + " +lat_0=" + exact(origin.lat0) +
                  " +lon_0=" + exact(origin.lon0) + " +R=" + exact(detail::kEarthRadiusM) +
                  " +units=m +over +no_defs";
    impl_->ctx = proj_context_create();
    if (impl_->ctx == nullptr) {
        throw GeoError("PROJ: cannot create a context");
    }
    // no network access, no grids: the operation is a formula
    proj_context_set_enable_network(impl_->ctx, 0);
    impl_->pj = proj_create(impl_->ctx, definition_.c_str());
    if (impl_->pj == nullptr) {
        const int err = proj_context_errno(impl_->ctx);
        throw GeoError("PROJ: cannot create '" + definition_ +
                       "': " + proj_context_errno_string(impl_->ctx, err));
    }
}

GeoProjection::GeoProjection(GeoProjection&&) noexcept = default;
GeoProjection& GeoProjection::operator=(GeoProjection&&) noexcept = default;
GeoProjection::~GeoProjection() = default;

world::Point GeoProjection::to_local(double lat, double lon) const {
    const PJ_COORD in = proj_coord(proj_torad(lon), proj_torad(lat), 0.0, 0.0);
    const PJ_COORD out = proj_trans(impl_->pj, PJ_FWD, in);
    if (!std::isfinite(out.xy.x) || !std::isfinite(out.xy.y)) {
        throw GeoError("PROJ cannot project latitude " + exact(lat) + ", longitude " + exact(lon));
    }
    return {out.xy.x, out.xy.y};
}

std::array<double, 2> GeoProjection::to_lat_lon(world::Point p) const {
    const PJ_COORD out = proj_trans(impl_->pj, PJ_INV, proj_coord(p.x, p.y, 0.0, 0.0));
    return {proj_todeg(out.lp.phi), proj_todeg(out.lp.lam)};
}

}  // namespace swarm::io
