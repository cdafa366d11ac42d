/** The browsers the made-up site's visitors use, as the user agents the real enrichment parses. */

export interface AgentSpec {
  ua: string;
  weight: number;
}

const CHROME = (v: number) =>
  `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`;
const MAC_CHROME = (v: number) =>
  `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`;
const IPHONE = (ios: string, safari: string) =>
  `Mozilla/5.0 (iPhone; CPU iPhone OS ${ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${safari} Mobile/15E148 Safari/604.1`;
const ANDROID = (android: number, model: string, v: number) =>
  `Mozilla/5.0 (Linux; Android ${android}; ${model}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Mobile Safari/537.36`;

/** Browsers as a mid-2020s site sees them: iPhones run Safari, Android phones Chrome, desktops mostly Chrome. */
export const AGENTS: AgentSpec[] = [
  { ua: CHROME(138), weight: 15 },
  { ua: CHROME(137), weight: 5 },
  { ua: CHROME(136), weight: 2 },
  { ua: `${CHROME(138)} Edg/138.0.0.0`, weight: 5 },
  { ua: `${CHROME(137)} Edg/137.0.0.0`, weight: 1 },
  {
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0',
    weight: 3,
  },
  { ua: `${CHROME(137)} OPR/121.0.0.0`, weight: 0.8 },
  { ua: MAC_CHROME(138), weight: 7 },
  { ua: MAC_CHROME(137), weight: 2 },
  {
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15',
    weight: 5,
  },
  {
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
    weight: 1,
  },
  {
    ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:140.0) Gecko/20100101 Firefox/140.0',
    weight: 1.2,
  },
  {
    ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36',
    weight: 1.8,
  },
  { ua: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0', weight: 1.3 },
  {
    ua: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36',
    weight: 0.6,
  },
  { ua: IPHONE('18_5', '18.5'), weight: 11 },
  { ua: IPHONE('18_6', '18.6'), weight: 3 },
  { ua: IPHONE('17_6_1', '17.6'), weight: 2.5 },
  {
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/138.0.7204.119 Mobile/15E148 Safari/604.1',
    weight: 1.5,
  },
  {
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/520.0.0.38.101;FBBV/123;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/18.5;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/5]',
    weight: 0.5,
  },
  { ua: ANDROID(10, 'K', 138), weight: 7 },
  { ua: ANDROID(10, 'K', 137), weight: 2 },
  { ua: ANDROID(14, 'SM-S921B', 138), weight: 2 },
  { ua: ANDROID(14, 'Pixel 8', 138), weight: 1.2 },
  {
    ua: 'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/28.0 Chrome/130.0.0.0 Mobile Safari/537.36',
    weight: 1.6,
  },
  { ua: 'Mozilla/5.0 (Android 14; Mobile; rv:140.0) Gecko/140.0 Firefox/140.0', weight: 0.5 },
  {
    ua: 'Mozilla/5.0 (iPad; CPU OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1',
    weight: 2,
  },
  {
    ua: 'Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36',
    weight: 0.7,
  },
];
