/**
 * TEOS-10 height from sea pressure, as GSW's `gsw_z_from_p(p, lat, 0, 0)`: the 75-term
 * specific-volume polynomial (Roquet et al., 2015) integrated at SSO and CT = 0 (GSW's
 * `enthalpy_SSO_0`), and gravity varying with latitude and height (IOC et al. 2010, eqn 3.32.3).
 * Written from the published TEOS-10 GSW algorithm; checked against its values in tests.
 */

const DEG2RAD = Math.PI / 180;
/** Pa per dbar. */
const DB2PA = 1e4;
/** Vertical gradient of gravity (GSW `gamma`, 1/m). */
const GAMMA = 2.26e-7;

/**
 * Enthalpy (J/kg) at Standard Ocean Salinity and Conservative Temperature 0 °C as a function of
 * sea pressure (dbar): GSW `gsw_enthalpy_sso_0`. The coefficients are the 75-term specific volume
 * polynomial's terms that survive at (SSO, CT = 0), integrated in pressure.
 */
export function enthalpySso0(p: number): number {
  const z = p * 1e-4;
  const h006 = -2.107876881e-9;
  const h007 = 2.8019291329e-10;
  const dynamicEnthalpy =
    z *
    (9.72661385484387e-4 +
      z *
        (-2.252956605630465e-5 +
          z * (2.376909655387404e-6 + z * (-1.664294869986011e-7 + z * (-5.988108894465758e-9 + z * (h006 + h007 * z))))));
  return dynamicEnthalpy * DB2PA * 1e4;
}

/**
 * Height z (m, negative in the ocean) from sea pressure p (dbar) at latitude `lat` (degrees), with
 * dynamic height anomaly and sea-surface geopotential both 0. Depth is `-zFromP(p, lat)`.
 */
export function zFromP(p: number, lat: number): number {
  const x = Math.sin(lat * DEG2RAD);
  const sin2 = x * x;
  const b = 9.780327 * (1.0 + (5.2792e-3 + 2.32e-5 * sin2) * sin2);
  const a = -0.5 * GAMMA * b;
  const c = enthalpySso0(p);
  // The root of a z² + b z + c = 0 that goes through 0 at p = 0, in the form that avoids cancellation.
  return (-2.0 * c) / (b + Math.sqrt(b * b - 4.0 * a * c));
}

/** Depth (m, positive down) of each pressure (dbar) at one latitude; NaN stays NaN. */
export function depthsFromPressures(pressures: Float64Array, lat: number, out: Float64Array = new Float64Array(pressures.length)): Float64Array {
  for (let i = 0; i < pressures.length; i++) {
    const p = pressures[i];
    out[i] = Number.isNaN(p) ? NaN : -zFromP(p, lat);
  }
  return out;
}
