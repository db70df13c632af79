"""Spherical geometry: the orthographic projection (angles in degrees, x east and y north, unit
radius by default), great-circle distances, small circles and the limb."""

from __future__ import annotations

import math

# cos c of a point exactly on the limb comes out as about 1e-17 rather than 0; below this it
# counts as on the limb, hence hidden, as it would be with exact arithmetic.
LIMB_EPSILON = 1e-12


def cos_c(lat: float, lon: float, lat0: float, lon0: float) -> float:
    """Cosine of the angular distance from the view centre; the point is visible when > 0."""
    phi, phi0 = math.radians(lat), math.radians(lat0)
    return math.sin(phi0) * math.sin(phi) + math.cos(phi0) * math.cos(phi) * math.cos(
        math.radians(lon - lon0)
    )


def orthographic(
    lat: float, lon: float, lat0: float, lon0: float, radius: float = 1.0
) -> tuple[float, float, bool]:
    """(x, y, visible) of a point seen from far above (lat0, lon0); y grows northward."""
    phi, phi0 = math.radians(lat), math.radians(lat0)
    dlon = math.radians(lon - lon0)
    x = radius * math.cos(phi) * math.sin(dlon)
    y = radius * (math.cos(phi0) * math.sin(phi) - math.sin(phi0) * math.cos(phi) * math.cos(dlon))
    return x, y, cos_c(lat, lon, lat0, lon0) > LIMB_EPSILON


def angular_distance(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in radians between two points (haversine formula)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * math.asin(min(1.0, math.sqrt(a)))


def wrap_lon(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


def destination(lat: float, lon: float, distance: float, bearing: float) -> tuple[float, float]:
    """The point `distance` radians from (lat, lon) along the initial `bearing` (radians)."""
    phi1, lam1 = math.radians(lat), math.radians(lon)
    sin_phi2 = math.sin(phi1) * math.cos(distance) + math.cos(phi1) * math.sin(distance) * math.cos(
        bearing
    )
    phi2 = math.asin(max(-1.0, min(1.0, sin_phi2)))
    lam2 = lam1 + math.atan2(
        math.sin(bearing) * math.sin(distance) * math.cos(phi1),
        math.cos(distance) - math.sin(phi1) * sin_phi2,
    )
    return math.degrees(phi2), wrap_lon(math.degrees(lam2))


def small_circle(
    lat: float, lon: float, angular_radius: float, n: int = 90
) -> list[tuple[float, float]]:
    """n points (lat, lon) evenly spaced on the circle `angular_radius` radians around a centre."""
    return [destination(lat, lon, angular_radius, 2 * math.pi * k / n) for k in range(n)]


def limb_point(angle: float, lat0: float, lon0: float) -> tuple[float, float]:
    """(lat, lon) of the point on the limb at `angle` radians (counter-clockwise from east).

    The inverse orthographic projection at c = 90°, where cos c = 0 and sin c = 1.
    """
    x, y = math.cos(angle), math.sin(angle)
    lat = math.degrees(math.asin(max(-1.0, min(1.0, y * math.cos(math.radians(lat0))))))
    lon = lon0 + math.degrees(math.atan2(x, -y * math.sin(math.radians(lat0))))
    return lat, wrap_lon(lon)
