import { InvalidPriceError } from './errors.ts';

/**
 * The active ISO 4217 currency codes (2025), without fund codes (BOV, CLF, USN, …), precious
 * metals (XAU, …), SDRs and the testing codes: the currencies a book can be sold in.
 */
const ISO_4217 = new Set(
  `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
   BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
   GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
   KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD
   NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD
   SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED
   VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG`.split(/\s+/),
);

/** An ISO 4217 currency code, such as KRW or USD. */
export type Currency = string & { readonly __brand: 'Currency' };

export const Currency = {
  /** The catalog's home currency, used when a price names none. */
  DEFAULT: 'KRW' as Currency,

  parse(code: string): Currency {
    if (!ISO_4217.has(code)) {
      throw new InvalidPriceError(
        `price.currency ${JSON.stringify(code.slice(0, 10))} is not an ISO 4217 currency code (such as KRW or USD)`,
      );
    }
    return code as Currency;
  },
};
