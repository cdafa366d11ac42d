import type { GeoLookup } from '../enrich/geo-lookup.ts';
import type { Step } from './step.ts';

/** Country (and region/city with a city database) from the client IP. The IP is stored only if the operator says so. */
export function putGeo(geo: GeoLookup, storeIp: boolean): Step {
  return {
    name: 'put-geo',
    run(row, _envelope, context) {
      const place = geo.lookup(context.ip);
      row.country = place.country;
      row.region = place.region;
      row.city = place.city;
      if (storeIp) row.ip = context.ip;
    },
  };
}
