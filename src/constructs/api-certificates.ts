import { AcmCertificate } from '@cdktn/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktn/provider-aws/lib/acm-certificate-validation';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Route53Record } from '@cdktn/provider-aws/lib/route53-record';
import { Fn, TerraformIterator, Token } from 'cdktn';
import { Construct } from 'constructs';
import type { Region } from '../config';

export interface ApiCertificatesProps {
  /** The provider that manages the Route 53 records (Route 53 is a global service). */
  dnsProvider: AwsProvider;
  zoneId: string;
  /** The failover name clients use, e.g. payments.example.com: on the certificate of every region. */
  publicName: string;
  /** One certificate per region, each also naming that region's own host (payments-use1.example.com). */
  regions: Array<{ region: Region; provider: AwsProvider; regionalName: string }>;
}

/**
 * The ACM certificates of both regions' API custom domains, and the DNS records that validate them and keep them
 * renewing, with one owner: this (global) stack, applied first and destroyed last.
 *
 * Both regions' certificates carry the public name, and its validation record is one and the same: ACM creates each
 * validation CNAME "specifically for your domain and your account", and "since the CNAME validation token works
 * for any AWS Region, you can re-create the same certificate in multiple Regions"
 * (https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html). Owned by both regional stacks (with
 * allow_overwrite), destroying or rebuilding either one deleted the record the other region's certificate needs for
 * managed renewal ("ACM automatically renews your certificate as long as the certificate is in use and your CNAME
 * record remains in place"). Here every distinct validation record exists once: the records of all certificates are
 * merged by domain name, so the shared name yields a single record.
 *
 * The regional stacks find their region's certificate by name and tags (an ACM read in their own region, which
 * works while the other region is down) instead of reading this stack's state.
 */
export class ApiCertificates extends Construct {
  readonly certificates: Map<Region, AcmCertificate> = new Map();
  readonly validations: Map<Region, AcmCertificateValidation> = new Map();
  readonly records: Route53Record;

  constructor(scope: Construct, id: string, p: ApiCertificatesProps) {
    super(scope, id);
    for (const r of p.regions) {
      this.certificates.set(
        r.region,
        new AcmCertificate(this, `certificate-${r.region}`, {
          provider: r.provider,
          domainName: p.publicName,
          subjectAlternativeNames: [r.regionalName],
          validationMethod: 'DNS',
          keyAlgorithm: 'RSA_2048',
          lifecycle: { createBeforeDestroy: true },
        }),
      );
    }
    // {domain name => validation option} of every certificate, merged: one entry (one record) per domain name.
    const byDomain = [...this.certificates.values()].map((c) =>
      TerraformIterator.fromComplexList(c.domainValidationOptions, 'domain_name').forExpressionForMap(
        'val.domain_name',
        'val',
      ),
    );
    const options = TerraformIterator.fromMap(Fn.merge(byDomain));
    this.records = new Route53Record(this, 'validation', {
      provider: p.dnsProvider,
      forEach: options,
      zoneId: p.zoneId,
      name: options.getString('resource_record_name'),
      type: options.getString('resource_record_type'),
      records: [options.getString('resource_record_value')],
      ttl: 300,
      // Takes over a record an earlier version of this project created from a regional stack (same name and value).
      allowOverwrite: true,
    });
    const fqdns = TerraformIterator.fromResources(this.records).pluckProperty('fqdn');
    for (const r of p.regions) {
      const cert = this.certificates.get(r.region) as AcmCertificate;
      this.validations.set(
        r.region,
        new AcmCertificateValidation(this, `validation-${r.region}`, {
          provider: r.provider,
          certificateArn: cert.arn,
          // The provider refuses to wait ("missing <name> DNS validation record") unless every validation record of
          // this certificate is among these names, then waits until ACM has issued it; extra names (the other
          // region's own host) are ignored (internal/service/acm/certificate_validation.go). So if the shared name's
          // record ever differed between regions, the merge above would keep one and this check would say so.
          validationRecordFqdns: Token.asList(fqdns),
        }),
      );
    }
  }
}
