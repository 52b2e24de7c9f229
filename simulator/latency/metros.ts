// Metro areas the geographic model places nodes in. Coordinates are city centres; weights are
// approximate metro-area populations in millions (UN World Urbanization Prospects order of
// magnitude, rounded), which is what decides how many nodes a metro gets. Regions are the
// colouring groups of the report and decide which pairs count as "intercontinental".

export const REGIONS = [
  'North America',
  'South America',
  'Europe',
  'Africa',
  'Middle East',
  'South Asia',
  'East Asia',
  'Southeast Asia',
  'Oceania',
] as const;

export interface Metro {
  name: string;
  lat: number;
  lon: number;
  /** Population in millions: relative share of nodes. */
  weight: number;
  /** Index into REGIONS. */
  region: number;
}

const NA = 0, SA = 1, EU = 2, AF = 3, ME = 4, SAS = 5, EA = 6, SEA = 7, OC = 8;

// [name, lat, lon, population (M), region]
const TABLE: [string, number, number, number, number][] = [
  ['New York', 40.71, -74.01, 19.8, NA],
  ['Los Angeles', 34.05, -118.24, 13.0, NA],
  ['Chicago', 41.88, -87.63, 9.5, NA],
  ['Dallas', 32.78, -96.8, 7.6, NA],
  ['Houston', 29.76, -95.37, 7.1, NA],
  ['Washington', 38.91, -77.04, 6.3, NA],
  ['Miami', 25.76, -80.19, 6.1, NA],
  ['Atlanta', 33.75, -84.39, 6.1, NA],
  ['San Francisco', 37.77, -122.42, 7.7, NA],
  ['Seattle', 47.61, -122.33, 4.0, NA],
  ['Toronto', 43.65, -79.38, 6.4, NA],
  ['Mexico City', 19.43, -99.13, 21.8, NA],
  ['Sao Paulo', -23.55, -46.63, 22.4, SA],
  ['Rio de Janeiro', -22.91, -43.17, 13.6, SA],
  ['Buenos Aires', -34.6, -58.38, 15.4, SA],
  ['Lima', -12.05, -77.04, 11.0, SA],
  ['Bogota', 4.71, -74.07, 11.3, SA],
  ['Santiago', -33.45, -70.67, 6.9, SA],
  ['London', 51.51, -0.13, 14.3, EU],
  ['Paris', 48.86, 2.35, 11.1, EU],
  ['Madrid', 40.42, -3.7, 6.7, EU],
  ['Berlin', 52.52, 13.4, 6.1, EU],
  ['Frankfurt', 50.11, 8.68, 5.8, EU],
  ['Amsterdam', 52.37, 4.9, 2.5, EU],
  ['Milan', 45.46, 9.19, 4.3, EU],
  ['Moscow', 55.76, 37.62, 17.1, EU],
  ['Istanbul', 41.01, 28.98, 15.6, EU],
  ['Stockholm', 59.33, 18.07, 2.4, EU],
  ['Warsaw', 52.23, 21.01, 3.1, EU],
  ['Lagos', 6.52, 3.38, 15.4, AF],
  ['Cairo', 30.04, 31.24, 21.3, AF],
  ['Johannesburg', -26.2, 28.05, 10.0, AF],
  ['Nairobi', -1.29, 36.82, 5.1, AF],
  ['Kinshasa', -4.44, 15.27, 15.6, AF],
  ['Casablanca', 33.57, -7.59, 4.3, AF],
  ['Tehran', 35.69, 51.39, 15.8, ME],
  ['Riyadh', 24.71, 46.68, 7.5, ME],
  ['Dubai', 25.2, 55.27, 3.5, ME],
  ['Tel Aviv', 32.09, 34.78, 4.2, ME],
  ['Delhi', 28.61, 77.21, 32.9, SAS],
  ['Mumbai', 19.08, 72.88, 21.3, SAS],
  ['Kolkata', 22.57, 88.36, 15.1, SAS],
  ['Bangalore', 12.97, 77.59, 13.6, SAS],
  ['Karachi', 24.86, 67.01, 17.2, SAS],
  ['Dhaka', 23.81, 90.41, 23.2, SAS],
  ['Tokyo', 35.68, 139.69, 37.2, EA],
  ['Osaka', 34.69, 135.5, 19.0, EA],
  ['Seoul', 37.57, 126.98, 25.5, EA],
  ['Beijing', 39.9, 116.41, 21.8, EA],
  ['Shanghai', 31.23, 121.47, 29.2, EA],
  ['Guangzhou', 23.13, 113.26, 18.8, EA],
  ['Hong Kong', 22.32, 114.17, 7.5, EA],
  ['Taipei', 25.03, 121.57, 7.0, EA],
  ['Jakarta', -6.21, 106.85, 11.2, SEA],
  ['Manila', 14.6, 120.98, 14.4, SEA],
  ['Bangkok', 13.76, 100.5, 11.0, SEA],
  ['Singapore', 1.35, 103.82, 5.9, SEA],
  ['Ho Chi Minh City', 10.82, 106.63, 9.3, SEA],
  ['Sydney', -33.87, 151.21, 5.3, OC],
  ['Melbourne', -37.81, 144.96, 5.1, OC],
  ['Auckland', -36.85, 174.76, 1.7, OC],
  ['Perth', -31.95, 115.86, 2.1, OC],
];

export const METROS: readonly Metro[] = TABLE.map(([name, lat, lon, weight, region]) => ({ name, lat, lon, weight, region }));
