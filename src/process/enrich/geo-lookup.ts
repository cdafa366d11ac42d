/**
 * Country from the client IP with the shipped CC0 database (`@ip-location-db/geo-whois-asn-country-mmdb`), and
 * region/city when the operator provides a GeoLite2-City / DB-IP City `.mmdb` (SIGHTLINE_GEOIP_CITY_DB).
 */
import { createRequire } from 'node:module';
import maxmind, { type Reader, type Response } from 'maxmind';
import { LruCache } from '../lru-cache.ts';
import { publicAddress } from './private-ip.ts';

export interface Place {
  country: string;
  region: string;
  city: string;
}

const NOWHERE: Place = { country: '', region: '', city: '' };

/** The two shapes in use: ip-location-db's flat `country_code`, and MaxMind's nested GeoLite2 records. */
interface AnyGeoRecord {
  country_code?: string;
  country?: { iso_code?: string };
  subdivisions?: Array<{ iso_code?: string; names?: Record<string, string> }>;
  city?: { names?: Record<string, string> } | string;
  state1?: string;
}

export interface GeoLookup {
  lookup(ip: string): Place;
}

export function shippedCountryDatabase(): string {
  return createRequire(import.meta.url).resolve(
    '@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb',
  );
}

export async function openGeoLookup(cityDatabase?: string): Promise<GeoLookup> {
  const country = await maxmind.open<AnyGeoRecord & Response>(shippedCountryDatabase());
  let city: Reader<AnyGeoRecord & Response> | undefined;
  if (cityDatabase) {
    try {
      city = await maxmind.open<AnyGeoRecord & Response>(cityDatabase);
    } catch (err) {
      throw new Error(
        `SIGHTLINE_GEOIP_CITY_DB: cannot open "${cityDatabase}" as an .mmdb file: ${(err as Error).message}`,
      );
    }
  }
  const cache = new LruCache<string, Place>(50_000);
  return {
    lookup(ip) {
      const address = publicAddress(ip);
      if (!address) return NOWHERE;
      const hit = cache.get(address);
      if (hit) return hit;
      const place: Place = { ...NOWHERE };
      const c = country.get(address);
      place.country = c?.country_code ?? c?.country?.iso_code ?? '';
      const detail = city?.get(address);
      if (detail) {
        place.country ||= detail.country_code ?? detail.country?.iso_code ?? '';
        const sub = detail.subdivisions?.[0];
        place.region = sub?.names?.en ?? sub?.iso_code ?? detail.state1 ?? '';
        place.city = typeof detail.city === 'string' ? detail.city : (detail.city?.names?.en ?? '');
      }
      cache.set(address, place);
      return place;
    },
  };
}
